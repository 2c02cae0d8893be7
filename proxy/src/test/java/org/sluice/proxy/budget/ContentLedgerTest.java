package org.sluice.proxy.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sluice.policy.content.CumulativeLimits;

class ContentLedgerTest {
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final long HOUR = WINDOW.toMillis();
    private static final long T0 = 1_000 * HOUR + 10_000; // 10 s into a window
    private static final long NONE = Long.MAX_VALUE;

    private final ContentLedger ledger = new ContentLedger();

    @Test
    void oneRowPerRequestIsRefusedAtTheRequestThatCrossesTheJobLimit() {
        CumulativeLimits limits = new CumulativeLimits(3, NONE, NONE, NONE);
        for (int i = 0; i < 3; i++) {
            assertThat(ledger.charge(limits, WINDOW, 1, 0, T0 + i * HOUR)).as("request %d", i + 1).isNull();
        }

        ContentLedger.Refusal fourth = ledger.charge(limits, WINDOW, 1, 0, T0 + 3 * HOUR);

        assertThat(fourth).isNotNull();
        assertThat(fourth.scope()).isEqualTo("perJob");
        assertThat(fourth.reason()).isEqualTo("the job has sent 3 protected rows in all and "
                + "protectedData.perJob.maxRows allows 3; this request carries 1 more");
        assertThat(ledger.charge(limits, WINDOW, 1, 0, T0 + 100 * HOUR)).as("a job's count never comes back")
                .isNotNull();
        assertThat(ledger.jobRows()).isEqualTo(3);
    }

    @Test
    void theWindowLimitCountsWithinAWindowAndStartsAfreshInTheNext() {
        CumulativeLimits limits = new CumulativeLimits(NONE, NONE, NONE, 4);
        assertThat(ledger.charge(limits, WINDOW, 0, 4, T0)).isNull();

        ContentLedger.Refusal over = ledger.charge(limits, WINDOW, 0, 1, T0 + 1_000);

        assertThat(over).isNotNull();
        assertThat(over.scope()).isEqualTo("perWindow");
        assertThat(over.reason()).contains("4 protected rare values in this window (ends in 3589 s)")
                .contains("protectedData.perWindow.maxRareValues allows 4").contains("carries 1 more");
        assertThat(ledger.charge(limits, WINDOW, 0, 4, T0 + HOUR)).as("the next window").isNull();
        assertThat(ledger.jobRareValues()).isEqualTo(8);
    }

    @Test
    void aRefusedRequestIsNotCounted() {
        CumulativeLimits limits = new CumulativeLimits(NONE, NONE, 10, NONE);
        assertThat(ledger.charge(limits, WINDOW, 8, 0, T0)).isNull();
        assertThat(ledger.charge(limits, WINDOW, 3, 0, T0)).as("8 + 3 > 10").isNotNull();
        assertThat(ledger.charge(limits, WINDOW, 2, 0, T0)).as("the refused 3 were not counted").isNull();
        assertThat(ledger.charge(limits, WINDOW, 1, 0, T0)).as("exactly at the limit, then one past").isNotNull();
    }

    @Test
    void allOrNothingAcrossRowsAndRareValues() {
        CumulativeLimits limits = new CumulativeLimits(NONE, 2, NONE, NONE);
        assertThat(ledger.charge(limits, WINDOW, 5, 3, T0)).as("3 rare values > 2").isNotNull();
        assertThat(ledger.jobRows()).as("its rows were not counted either").isZero();
    }

    @Test
    void reportedRequestsCountAgainstTheRequestsAfterThem() {
        CumulativeLimits limits = new CumulativeLimits(5, NONE, NONE, NONE);
        ledger.add(WINDOW, 6, 0, T0);

        assertThat(ledger.charge(limits, WINDOW, 1, 0, T0)).isNotNull();
        assertThat(ledger.charge(limits, WINDOW, 0, 0, T0)).as("a request without findings is never refused")
                .isNull();
    }

    @Test
    void withoutLimitsEverythingIsCountedAndNothingRefused() {
        for (int i = 0; i < 1000; i++) {
            assertThat(ledger.charge(CumulativeLimits.NONE, WINDOW, 1_000, 1_000, T0)).isNull();
        }
        assertThat(ledger.jobRows()).isEqualTo(1_000_000);
    }
}
