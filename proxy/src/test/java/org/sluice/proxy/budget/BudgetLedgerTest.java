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

    @Test
    void eachClaimedTaskHasItsOwnBudgetAndRequestsWithoutATaskAreNotChargedPerTask() {
        BudgetsConfig limits = new BudgetsConfig(Duration.ofHours(1), Budget.NONE, Budget.NONE, Long.MAX_VALUE,
                new Budget(2, Long.MAX_VALUE));
        assertThat(ledger.charge(limits, "10.0.0.1", "42", 0, T0)).isNull();
        assertThat(ledger.charge(limits, "10.0.0.1", "42", 0, T0)).isNull();

        BudgetLedger.Refusal third = ledger.charge(limits, "10.0.0.1", "42", 0, T0);
        assertThat(third).isNotNull();
        assertThat(third.scope()).isEqualTo("task");
        assertThat(third.reason()).contains("budgets.perTask.requests");
        assertThat(third.retryAfterSeconds()).isEqualTo(3600 - 10);
        assertThat(ledger.charge(limits, "10.0.0.1", "43", 0, T0)).as("another task, same client").isNull();
        for (int i = 0; i < 5; i++) {
            assertThat(ledger.charge(limits, "10.0.0.1", null, 0, T0)).as("no task").isNull();
        }
        assertThat(ledger.charge(limits, "10.0.0.1", "42", 0, T0 + HOUR)).as("the next window").isNull();
    }

    @Test
    void aTaskRefusalChargesNothingElse() {
        BudgetsConfig limits = new BudgetsConfig(Duration.ofHours(1), new Budget(2, Long.MAX_VALUE), Budget.NONE,
                Long.MAX_VALUE, new Budget(Long.MAX_VALUE, 10));
        assertThat(ledger.charge(limits, "c", "42", 10, T0)).isNull();
        assertThat(ledger.charge(limits, "c", "42", 1, T0)).as("task 42's bytes are used up").isNotNull();

        assertThat(ledger.charge(limits, "c", "43", 1, T0)).as("the refused request was not charged to the client")
                .isNull();
        assertThat(ledger.charge(limits, "c", "44", 1, T0)).as("now the client's 2 requests are").isNotNull();
    }
}
