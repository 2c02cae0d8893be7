package org.sluice.proxy.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.BudgetsConfig;
import org.sluice.policy.config.BudgetsConfig.Budget;

class BudgetLedgerTest {
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long T0 = 1_000 * HOUR + 10_000; // 10 s into a window

    private final BudgetLedger ledger = new BudgetLedger();

    private static BudgetsConfig perClient(long requests, long bytes) {
        return new BudgetsConfig(Duration.ofHours(1), new Budget(requests, bytes), Budget.NONE, Long.MAX_VALUE);
    }

    @Test
    void withoutBudgetsEverythingIsAdmitted() {
        for (int i = 0; i < 1000; i++) {
            assertThat(ledger.charge(BudgetsConfig.NONE, "10.0.0.1", 1 << 20, T0)).isNull();
        }
    }

    @Test
    void aClientsRequestsPerWindowAreCountedAndTheWindowEndIsTheRetryAfter() {
        BudgetsConfig limits = perClient(2, Long.MAX_VALUE);
        assertThat(ledger.charge(limits, "10.0.0.1", 0, T0)).isNull();
        assertThat(ledger.charge(limits, "10.0.0.1", 0, T0)).isNull();

        BudgetLedger.Refusal third = ledger.charge(limits, "10.0.0.1", 0, T0);
        assertThat(third).isNotNull();
        assertThat(third.scope()).isEqualTo("client");
        assertThat(third.retryAfterSeconds()).isEqualTo(3600 - 10);
        assertThat(third.reason()).contains("budgets.perClient.requests");
        assertThat(ledger.charge(limits, "10.0.0.2", 0, T0)).as("another client has its own budget").isNull();
        assertThat(ledger.charge(limits, "10.0.0.1", 0, T0 + HOUR)).as("the next window starts afresh").isNull();
    }

    @Test
    void bytesAreChargedAllOrNothing() {
        BudgetsConfig limits = perClient(Long.MAX_VALUE, 25);
        assertThat(ledger.charge(limits, "c", 10, T0)).isNull();
        assertThat(ledger.charge(limits, "c", 10, T0)).isNull();
        assertThat(ledger.charge(limits, "c", 10, T0)).as("30 > 25").isNotNull();
        assertThat(ledger.charge(limits, "c", 5, T0)).as("the refused 10 were not charged").isNull();
        assertThat(ledger.chargeBytes(limits, "c", 1, T0)).isNotNull();
    }

    @Test
    void theJobsTotalNeverComesBack() {
        BudgetsConfig limits = new BudgetsConfig(Duration.ofSeconds(1), Budget.NONE, Budget.NONE, 100);
        assertThat(ledger.charge(limits, "a", 60, T0)).isNull();
        BudgetLedger.Refusal refused = ledger.charge(limits, "b", 60, T0 + HOUR);
        assertThat(refused).isNotNull();
        assertThat(refused.scope()).isEqualTo("job_total");
        assertThat(refused.retryAfterSeconds()).as("waiting does not help").isEqualTo(-1);
        assertThat(ledger.charge(limits, "b", 40, T0 + 2 * HOUR)).isNull();
    }

    @Test
    void theJobsWindowCountsEveryClient() {
        BudgetsConfig limits = new BudgetsConfig(Duration.ofMinutes(1), Budget.NONE, new Budget(3, Long.MAX_VALUE),
                Long.MAX_VALUE);
        assertThat(ledger.charge(limits, "a", 0, T0)).isNull();
        assertThat(ledger.charge(limits, "b", 0, T0)).isNull();
        assertThat(ledger.charge(limits, "c", 0, T0)).isNull();
        BudgetLedger.Refusal refused = ledger.charge(limits, "d", 0, T0);
        assertThat(refused).isNotNull();
        assertThat(refused.scope()).isEqualTo("job");
        assertThat(refused.reason()).contains("budgets.perJob.requests");
    }
}
