package org.sluice.policy.config;

import java.time.Duration;

/**
 * Egress budgets: how much an algorithm may send out, as numbers the data owner sets. YAML
 * {@code budgets: {window: 1h, perClient: {requests: 1000, requestBytes: 100MiB},
 * perJob: {requests: 10000, requestBytes: 1GiB, totalRequestBytes: 5GiB}, perTask: {requests: 500}}}. A request
 * over any of them gets 429 {@code budget_exceeded} (with Retry-After when waiting for the next window would help)
 * and leaves nothing.
 *
 * @param window              the length of the fixed windows the per-window limits count in (1s..7d; default 1h)
 * @param perClient           per client IP address, per window
 * @param perJob              for the whole Sluice instance (one job: the sidecar serves one algorithm), per window
 * @param jobTotalRequestBytes request bytes the job may send over its whole life (since Sluice started)
 * @param perTask             per task id that a request's vantage6 container token claims, per window. The claim is
 *                            not verified (anyone can write a token), so this shares a node fairly between honest
 *                            tasks; perClient and perJob bound a hostile one. Requests with no task are not charged
 */
public record BudgetsConfig(Duration window, Budget perClient, Budget perJob, long jobTotalRequestBytes,
                            Budget perTask) {

    /** Budgets without a per-task limit. */
    public BudgetsConfig(Duration window, Budget perClient, Budget perJob, long jobTotalRequestBytes) {
        this(window, perClient, perJob, jobTotalRequestBytes, Budget.NONE);
    }

    /** Limits within one window; {@link Long#MAX_VALUE} means no limit. */
    public record Budget(long requests, long requestBytes) {
        public static final Budget NONE = new Budget(Long.MAX_VALUE, Long.MAX_VALUE);

        public boolean limited() {
            return requests != Long.MAX_VALUE || requestBytes != Long.MAX_VALUE;
        }
    }

    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);

    /** No budgets: everything the rules allow may be sent, as often as it is asked. */
    public static final BudgetsConfig NONE = new BudgetsConfig(DEFAULT_WINDOW, Budget.NONE, Budget.NONE, Long.MAX_VALUE);

    /** True when any limit is set (else the budget check is skipped). */
    public boolean limited() {
        return perClient.limited() || perJob.limited() || jobTotalRequestBytes != Long.MAX_VALUE
                || perTask.limited();
    }
}
