package org.sluice.bench.content;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sluice.bench.content.ContentEvaluation.AttackResult;
import org.sluice.bench.content.ContentEvaluation.LegitimateResult;

/**
 * The numbers the README and docs/content-checks.md state, asserted on the reported run itself (100,000 rows, the
 * same seed, the engine and scanner the proxy uses): what is expected caught is refused in at least 99% of jobs,
 * what is not expected caught is indeed let through (the docs say so), and no legitimate request is refused.
 */
class ContentEvaluationTest {

    private static EvaluationReport report;

    @BeforeAll
    static void runOnce() {
        report = ContentEvaluation.run(ProtectedDataSet.REPORTED_ROWS, ProtectedDataSet.SEED,
                ContentEvaluation::compile);
    }

    @Test
    void everyAttackExpectedCaughtIsRefusedInAtLeast99PercentOfJobs() {
        for (AttackResult result : report.attacks()) {
            if (result.attack().caughtIn().contains(result.configuration())) {
                assertThat(result.detection()).as("%s in %s: %s", result.attack().name(), result.configuration(),
                        result.refusedBy()).isGreaterThanOrEqualTo(0.99);
            }
        }
    }

    @Test
    void whatIsNotExpectedCaughtGetsThroughSaveForChanceMatches() {
        for (AttackResult result : report.attacks()) {
            if (!result.attack().caughtIn().contains(result.configuration())) {
                // float32 keeps a few amounts exact (1234.5 is a float): those few requests are refused
                assertThat(result.detection()).as("%s in %s: %s", result.attack().name(), result.configuration(),
                        result.refusedBy()).isLessThanOrEqualTo(0.05);
            }
        }
        assertThat(report.attack(EvaluationConfigs.PROTECTED_DATA, "float-steganography").jobsRefused()).isZero();
        assertThat(report.attack(EvaluationConfigs.STRICT, "aes-as-float-weights").jobsRefused()).isZero();
        assertThat(report.attack(EvaluationConfigs.STRICT, "aggregate-of-two-rows").jobsRefused()).isZero();
        assertThat(report.attack(EvaluationConfigs.STRICT, "one-common-cell-per-request").jobsRefused()).isZero();
    }

    @Test
    void encryptionInBase64IsRefusedOnlyWhereOpaqueBodiesAre() {
        assertThat(report.attack(EvaluationConfigs.PROTECTED_DATA, "aes-in-json").jobsRefused()).isZero();
        assertThat(report.attack(EvaluationConfigs.STRICT, "aes-in-json").refusedBy())
                .containsOnlyKeys("opaque");
    }

    @Test
    void aSequenceIsStoppedByThePerJobSumsBeforeItsLimitIsPassed() {
        for (String configuration : EvaluationConfigs.names()) {
            AttackResult oneRow = report.attack(configuration, "one-row-per-request");
            assertThat(oneRow.refusedBy()).containsOnlyKeys(ContentEvaluation.PER_JOB);
            assertThat(oneRow.meanFirstRefused()).as("at most %d rows leave", EvaluationConfigs.JOB_ROWS)
                    .isLessThanOrEqualTo(EvaluationConfigs.JOB_ROWS + 1);
            AttackResult oneId = report.attack(configuration, "one-identifier-per-request");
            assertThat(oneId.meanFirstRefused()).isEqualTo(EvaluationConfigs.JOB_RARE_VALUES + 1.0);
        }
    }

    @Test
    void noLegitimateRequestIsRefused() {
        for (LegitimateResult result : report.legitimate()) {
            assertThat(result.refused()).as("%s in %s: %s", result.kind().name(), result.configuration(),
                    result.refusedBy()).isZero();
        }
        assertThat(report.legitimateRequests(EvaluationConfigs.STRICT)).isEqualTo(1_100);
    }

    @Test
    void theIndexTakesAboutEighteenBytesARowForElevenColumns() {
        assertThat(report.bytesPerRow()).isBetween(16.0, 20.0);
        assertThat(report.index().pairColumns()).containsExactly("birth_date", "postcode", "weight_kg");
    }
}
