package org.sluice.bench.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sluice.bench.content.ContentEvaluation.AttackResult;
import org.sluice.policy.content.ContentCheck;
import org.sluice.policy.content.ContentInput;
import org.sluice.policy.content.ContentVerdict;
import org.sluice.policy.content.CumulativeLimits;

/** The runner counts as the proxy's ledger does, whatever the checks find: shown with checks whose answers are set. */
class ContentEvaluationLedgerTest {

    private final ProtectedDataSet data = ProtectedDataSet.generate(1_000, 5);
    private final ContentEvaluation evaluation = new ContentEvaluation(data, 5);

    /** A check that finds {@code rows} rows and {@code rare} rare values in every request, and refuses none. */
    private static ContentCheck finding(int rows, int rare, CumulativeLimits limits) {
        return check(input -> new ContentVerdict(null, null, rows, rare, 4.0, 0, List.of(), false), limits);
    }

    private static ContentCheck check(Function<ContentInput, ContentVerdict> verdict, CumulativeLimits limits) {
        return new ContentCheck() {
            @Override
            public ContentVerdict inspect(ContentInput input) {
                return verdict.apply(input);
            }

            @Override
            public CumulativeLimits cumulative() {
                return limits;
            }
        };
    }

    private static Attack sequence(int requests) {
        return new Attack("rows", "one row a request", Set.of(), 3, (d, random) -> new Exfiltration(
                java.util.stream.IntStream.range(0, requests).mapToObj(i -> new Exfiltration.Sent(
                        ContentInput.body(new byte[] {'{', '}'}, "application/json"), d.row(i).cells())).toList()),
                input -> "");
    }

    @Test
    void aJobIsRefusedAtTheRequestThatWouldTakeItPastThePerJobRowLimitAndRefusedRequestsAreNotCounted() {
        AttackResult result = evaluation.attack("c", finding(1, 0, new CumulativeLimits(10, Long.MAX_VALUE,
                Long.MAX_VALUE, Long.MAX_VALUE)), sequence(20));

        assertThat(result.jobs()).isEqualTo(3);
        assertThat(result.requests()).isEqualTo(60);
        assertThat(result.jobsRefused()).isEqualTo(3);
        assertThat(result.meanFirstRefused()).isEqualTo(11.0);
        // the ledger stays at 10: every request after the tenth would pass it, so each is refused
        assertThat(result.requestsRefused()).isEqualTo(30);
        assertThat(result.refusedBy()).isEqualTo(Map.of(ContentEvaluation.PER_JOB, 30));
        assertThat(result.detection()).isEqualTo(1.0);
    }

    @Test
    void thePerJobRareValueLimitCountsTheSameWay() {
        AttackResult result = evaluation.attack("c", finding(0, 3, new CumulativeLimits(Long.MAX_VALUE, 10,
                Long.MAX_VALUE, Long.MAX_VALUE)), sequence(5));

        assertThat(result.meanFirstRefused()).as("3 + 3 + 3 = 9; a fourth would make 12").isEqualTo(4.0);
        assertThat(result.requestsRefused()).isEqualTo(6);
    }

    @Test
    void withoutLimitsAJobThatNoRequestRefusesIsNotDetected() {
        AttackResult result = evaluation.attack("c", finding(5, 50, CumulativeLimits.NONE), sequence(20));

        assertThat(result.jobsRefused()).isZero();
        assertThat(result.detection()).isZero();
        assertThat(result.meanFirstRefused()).isNaN();
        assertThat(result.rowsMatched()).isEqualTo(300);
    }

    @Test
    void aRequestRefusedOnItsOwnCountsForTheCheckThatRefusedIt() {
        AttackResult result = evaluation.attack("c", check(input -> new ContentVerdict("types", "types: no",
                0, 0, -1, 0, List.of(), false), CumulativeLimits.NONE), sequence(2));

        assertThat(result.refusedBy()).isEqualTo(Map.of("types", 6));
        assertThat(result.meanFirstRefused()).isEqualTo(1.0);
    }

    @Test
    void everyRefusalOfALegitimateRequestIsAFalsePositive() {
        LegitimateKind kind = new LegitimateKind("poll", "a poll", 7, (d, random) -> ContentInput.body(new byte[0],
                null));
        int[] calls = {0};
        ContentCheck everyOther = check(input -> calls[0]++ % 2 == 0
                ? new ContentVerdict("protectedData", "rows", 4, 0, 0, 0, List.of(), false)
                : new ContentVerdict(null, null, 1, 2, 0, 0, List.of(), false), CumulativeLimits.NONE);

        ContentEvaluation.LegitimateResult result = evaluation.legitimate("c", everyOther, List.of(kind)).get(0);

        assertThat(result.refused()).isEqualTo(4);
        assertThat(result.falsePositiveRate()).isEqualTo(4 / 7.0);
        assertThat(result.maxRows()).isEqualTo(4);
        assertThat(result.rareValues()).isEqualTo(6);
    }
}
