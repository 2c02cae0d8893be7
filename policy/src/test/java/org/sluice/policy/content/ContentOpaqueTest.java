package org.sluice.policy.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.sluice.policy.content.ContentTesting.base64;
import static org.sluice.policy.content.ContentTesting.body;
import static org.sluice.policy.content.ContentTesting.content;
import static org.sluice.policy.content.ContentTesting.encoded;
import static org.sluice.policy.content.ContentTesting.gzip;
import static org.sluice.policy.content.ContentTesting.inspect;
import static org.sluice.policy.content.ContentTesting.utf8;

import java.util.Locale;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.ContentConfig.Opaque;

/**
 * Stage (f). The entropies measured here (bits/byte, seed 18), which docs/content-checks.md quotes:
 * English prose 4.27, an aggregate JSON result (means, a histogram, 200 coefficients) 3.80, a 1,000-row CSV of
 * patients 3.99, base64 text 6.00, 64 KiB of random bytes 7.997, gzip of the CSV 7.98, and random samples of
 * 64 / 256 / 512 / 1,024 bytes 5.81 / 7.19 / 7.62 / 7.82: a blob under about 512 bytes never reaches 7.5, whatever
 * it holds.
 */
class ContentOpaqueTest {

    private static final String PROSE = """
            The data owner's real fear is that an allowed algorithm sends raw records to the central server inside
            allowed, small-enough requests. Sluice sits between the algorithm and the outside world and looks at
            what each request carries before a byte of it leaves: it decodes what is encoded, parses what claims to
            be JSON, and counts the rows of the protected table that a body holds. A body that stays random-looking
            after all that is either packed in a way Sluice cannot open or encrypted with a key the algorithm
            brought; the rule says whether such a body may leave at all.
            """;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(18).nextBytes(b);
        return b;
    }

    private static String csv(int rows) {
        Random r = new Random(18);
        StringBuilder s = new StringBuilder("patient_id,birth_date,sex,postcode,diagnosis,weight_kg\n");
        String[] diagnoses = {"J45.9", "E11.9", "I10", "M54.5", "F32.1"};
        for (int i = 0; i < rows; i++) {
            s.append(String.format(Locale.ROOT, "P%07d,19%02d-%02d-%02d,%s,%04d,%s,%.1f%n", r.nextInt(10_000_000),
                    r.nextInt(100), 1 + r.nextInt(12), 1 + r.nextInt(28), r.nextBoolean() ? "F" : "M",
                    1000 + r.nextInt(9000), diagnoses[r.nextInt(diagnoses.length)], 40 + r.nextDouble() * 80));
        }
        return s.toString();
    }

    private static String aggregate() {
        Random r = new Random(18);
        StringJoiner coefficients = new StringJoiner(",", "[", "]");
        for (int i = 0; i < 200; i++) {
            coefficients.add(String.format(Locale.ROOT, "%.6f", r.nextGaussian()));
        }
        return "{\"mean\":52.4137,\"count\":1840,\"histogram\":[12,40,88,130,97,41,11],\"coefficients\":"
                + coefficients + "}";
    }

    private static double entropy(byte[] b) {
        return Entropy.bitsPerByte(b, 0, b.length);
    }

    @Test
    void ordinaryBodiesStayWellBelowTheDefault() {
        assertThat(entropy(utf8(PROSE))).isCloseTo(4.27, within(0.01));
        assertThat(entropy(utf8(aggregate()))).isCloseTo(3.80, within(0.01));
        assertThat(entropy(utf8(csv(1000)))).isCloseTo(3.99, within(0.01));
        assertThat(entropy(utf8(base64(random(48 * 1024))))).isCloseTo(6.0, within(0.05));
    }

    @Test
    void packedOrRandomBytesReachItOnceLongEnough() {
        assertThat(entropy(random(64 * 1024))).isGreaterThan(7.99);
        assertThat(entropy(gzip(utf8(csv(1000))))).isGreaterThan(7.9);
        assertThat(entropy(random(64))).isLessThan(6.0);
        assertThat(entropy(random(256))).isBetween(7.0, 7.4);
        assertThat(entropy(random(512))).isBetween(7.5, 7.7);
        assertThat(entropy(random(1024))).isBetween(7.7, 7.9);
        assertThat(entropy(new byte[0])).isZero();
        assertThat(entropy(new byte[100])).isZero();
    }

    @Test
    void denyRefusesRandomBytesNamingTheEntropy() {
        ContentVerdict verdict = inspect(content().opaque(Opaque.DENY).compile(),
                body(random(64 * 1024), "application/octet-stream"));
        assertThat(verdict.refusedBy()).isEqualTo("opaque");
        assertThat(verdict.opaque()).isTrue();
        assertThat(verdict.entropy()).isGreaterThan(7.99);
        assertThat(verdict.reason()).matches("the body stays opaque after decoding \\(8\\.00 bits/byte\\); rule"
                + " refuses opaque bodies \\(content\\.opaque\\)");
    }

    @Test
    void reportPassesAndMarksIt() {
        ContentVerdict verdict = inspect(content().opaque(Opaque.REPORT).compile(),
                body(random(64 * 1024), "application/octet-stream"));
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.opaque()).isTrue();
        assertThat(verdict.entropy()).isGreaterThan(7.99);
    }

    @Test
    void allowPassesWithoutMeasuring() {
        ContentVerdict verdict = inspect(content().opaque(Opaque.ALLOW).compile(),
                body(random(64 * 1024), "application/octet-stream"));
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.opaque()).isFalse();
        assertThat(verdict.entropy()).isEqualTo(-1);
    }

    @Test
    void ordinaryBodiesPassDeny() {
        ContentCheck deny = content().opaque(Opaque.DENY).compile();
        assertThat(inspect(deny, body(utf8(PROSE), "text/plain")).passed()).isTrue();
        assertThat(inspect(deny, body(utf8(aggregate()), "application/json")).passed()).isTrue();
        ContentVerdict table = inspect(deny, body(utf8(csv(1000)), "text/csv"));
        assertThat(table.passed()).isTrue();
        assertThat(table.entropy()).isBetween(3.9, 4.1);
    }

    @Test
    void entropyIsMeasuredAfterDecoding() {
        ContentCheck deny = content().opaque(Opaque.DENY).compile();
        ContentVerdict declared = inspect(deny, encoded(gzip(utf8(csv(1000))), "text/csv", "gzip"));
        assertThat(declared.passed()).isTrue();
        assertThat(declared.entropy()).isLessThan(5.5);
        ContentVerdict undeclared = inspect(deny, body(gzip(utf8(csv(1000))), "application/octet-stream"));
        assertThat(undeclared.passed()).as("a gzip body sent without Content-Encoding is opened too").isTrue();
        assertThat(undeclared.layers()).containsExactly("gzip");
    }

    @Test
    void anEncryptedBlobInsideJsonIsOpaque() {
        String blob = base64(random(8 * 1024));
        ContentVerdict verdict = inspect(content().opaque(Opaque.DENY).compile(),
                body(utf8("{\"model\":\"" + blob + "\"}"), "application/json"));
        assertThat(verdict.refusedBy()).isEqualTo("opaque");
        assertThat(verdict.reason()).startsWith("an embedded span stays opaque");
        assertThat(verdict.layers()).containsExactly("base64");
        assertThat(verdict.entropy()).isGreaterThan(7.9);
    }

    @Test
    void anEmptyBodyPassesEveryStage() {
        ContentCheck all = content().types("application/json").json(1, 1, 1, 1)
                .schema("s.json", "{\"type\":\"object\"}").protectedData(0, 0).opaque(Opaque.DENY).compile();
        ContentVerdict verdict = inspect(all, body(new byte[0], null));
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.entropy()).isEqualTo(-1);
        assertThat(verdict.layers()).isEmpty();
    }
}
