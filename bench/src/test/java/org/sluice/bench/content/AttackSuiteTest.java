package org.sluice.bench.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.sluice.policy.content.ContentInput;

/** The attacks leak what they claim: the attacker's receiving end gets every claimed cell back. */
class AttackSuiteTest {

    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
    private static final Set<String> ENCODED = Set.of("base64-body", "gzip-base64-in-json", "hex-body",
            "aes-in-json", "aes-as-float-weights", "float-steganography");

    private final List<Attack> attacks = new AttackSuite(ProtectedDataSet.SEED).attacks();
    private final ContentEvaluation evaluation = new ContentEvaluation(Fixtures.data(), ProtectedDataSet.SEED);

    @Test
    void everyRequestCarriesTheCellsItClaimsOnceTheReceiverTakesItsEncodingOff() {
        for (Attack attack : attacks) {
            int cells = 0;
            for (Exfiltration job : evaluation.attackJobs(attack)) {
                for (Exfiltration.Sent sent : job.requests()) {
                    String received = attack.receiver().apply(sent.input());
                    Set<BigDecimal> numbers = numbers(received);
                    for (String cell : sent.cells()) {
                        assertThat(received.contains(cell) || isNumberIn(cell, numbers))
                                .as("%s: %s in what the receiver got", attack.name(), cell).isTrue();
                        cells++;
                    }
                }
            }
            if (attack.name().equals("aggregate-of-two-rows")) {
                assertThat(cells).as("sums of two rows, no cell").isZero();
            } else {
                assertThat(cells).as(attack.name()).isGreaterThanOrEqualTo(200);
            }
        }
    }

    @Test
    void theEncodedAttacksHideEveryIdentifierFromAPlainReading() {
        for (Attack attack : attacks.stream().filter(a -> ENCODED.contains(a.name())).toList()) {
            for (Exfiltration job : evaluation.attackJobs(attack)) {
                for (Exfiltration.Sent sent : job.requests()) {
                    String plain = plainText(sent.input());
                    assertThat(sent.cells()).as(attack.name()).isNotEmpty();
                    for (String cell : sent.cells()) {
                        if (cell.startsWith("P-")) {
                            assertThat(plain).as(attack.name()).doesNotContain(cell);
                        }
                    }
                }
            }
        }
    }

    @Test
    void eachAttackSendsTwoToThreeHundredRequests() {
        assertThat(attacks.stream().map(Attack::name).distinct()).hasSize(attacks.size());
        for (Attack attack : attacks) {
            int requests = evaluation.attackJobs(attack).stream().mapToInt(job -> job.requests().size()).sum();
            assertThat(requests).as(attack.name()).isBetween(100, 320);
        }
    }

    @Test
    void aSequenceAttackSendsEachRowsCellsInItsOwnRequest() {
        Attack oneRow = attacks.stream().filter(a -> a.name().equals("one-row-per-request")).findFirst()
                .orElseThrow();
        Exfiltration job = evaluation.attackJobs(oneRow).get(0);
        assertThat(job.requests()).hasSize(20);
        assertThat(job.requests()).allSatisfy(sent -> assertThat(sent.cells()).hasSize(PatientRow.COLUMNS.size()));
    }

    private static String plainText(ContentInput input) {
        return Encodings.text(input.body()) + " " + input.query() + " " + String.join(" ", input.headerValues());
    }

    private static Set<BigDecimal> numbers(String text) {
        Set<BigDecimal> numbers = new HashSet<>();
        Matcher number = NUMBER.matcher(text);
        while (number.find()) {
            numbers.add(new BigDecimal(number.group()).stripTrailingZeros());
        }
        return numbers;
    }

    private static boolean isNumberIn(String cell, Set<BigDecimal> numbers) {
        return NUMBER.matcher(cell).matches() && numbers.contains(new BigDecimal(cell).stripTrailingZeros());
    }
}
