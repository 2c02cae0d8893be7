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
            if (!result.attack().caughtIn().contains(result.configuration())
                    && !result.attack().name().equals("weights-column-float32")) {
                assertThat(result.detection()).as("%s in %s: %s", result.attack().name(), result.configuration(),
                        result.refusedBy()).isLessThanOrEqualTo(0.05);
            }
        }
        // float32 keeps the amounts in whole quarters exact (1234.5 is a float): a request that happens to carry
        // more of those than maxRareValues is refused, the others leave; not a defence to count on
        for (String configuration : EvaluationConfigs.names()) {
            assertThat(report.attack(configuration, "weights-column-float32").detection()).isBetween(0.0, 0.9);
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
            AttackResult oneRecord = report.attack(configuration, "one-record-per-request");
            assertThat(oneRecord.refusedBy()).containsOnlyKeys(ContentEvaluation.PER_JOB);
            assertThat(oneRecord.meanFirstRefused()).as("at most %d rows leave", EvaluationConfigs.JOB_ROWS)
                    .isEqualTo(EvaluationConfigs.JOB_ROWS + 1.0);
            AttackResult oneId = report.attack(configuration, "one-identifier-per-request");
            assertThat(oneId.refusedBy()).containsOnlyKeys(ContentEvaluation.PER_JOB);
            assertThat(oneId.meanFirstRefused()).isEqualTo(EvaluationConfigs.JOB_RARE_VALUES + 1.0);
        }
    }

    @Test
    void aWholeRowIsRefusedOnItsOwnByItsIdentifiers() {
        for (String configuration : EvaluationConfigs.names()) {
            AttackResult oneRow = report.attack(configuration, "one-row-per-request");
            assertThat(oneRow.meanFirstRefused()).isEqualTo(1.0);
            assertThat(oneRow.refusedBy()).doesNotContainKey(ContentEvaluation.PER_JOB);
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
    void theIndexTakesAboutTwentyBytesARowForElevenColumnsFourOfThemMostlyUnique() {
        assertThat(report.bytesPerRow()).isBetween(18.0, 21.0);
        assertThat(report.index().pairColumns()).containsExactly("birth_date", "postcode", "weight_kg");
    }
}
