package org.sluice.proxy.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import org.sluice.policy.config.BudgetsConfig;

/**
 * What has been sent out so far, against the budgets of the policy in force: per client IP, per claimed task and
 * for the job (this Sluice), counted in fixed windows of {@code budgets.window}, plus the job's total. Shared by every event loop;
 * one short lock per charged request, and none at all while the policy sets no budget. Clients' windows are kept
 * in a bounded Caffeine cache and forgotten once idle for longer than any window. Counts start at zero when
 * Sluice starts; a reload changes the limits, not the counts.
 */
public final class BudgetLedger {
    /** Client addresses remembered at once; beyond it the least recently seen are forgotten. */
    static final int MAX_CLIENTS = 100_000;
    /** Claimed task ids remembered at once: a forged id per request only churns this bounded cache. */
    static final int MAX_TASKS = 100_000;

    private final Cache<String, WindowCounts> clients = Caffeine.newBuilder()
            .maximumSize(MAX_CLIENTS)
            .expireAfterAccess(Duration.ofDays(8)) // longer than the longest window
            .build();
    private final Cache<String, WindowCounts> tasks = Caffeine.newBuilder()
            .maximumSize(MAX_TASKS)
            .expireAfterAccess(Duration.ofDays(8))
            .build();
    private final WindowCounts job = new WindowCounts();
    private long jobTotalBytes;

    /** Why a charge was refused: which budget, in a sentence, and when trying again could help (-1: never). */
    public record Refusal(String scope, String reason, long retryAfterSeconds) {
    }

    /**
     * Charges one request of {@code bytes} request-body bytes to client and job, all or nothing.
     *
     * @return null when admitted (and charged); otherwise why not (nothing is charged)
     */
    public Refusal charge(BudgetsConfig limits, String client, long bytes, long nowMillis) {
        return charge(limits, client, null, 1, bytes, nowMillis);
    }

    /**
     * Charges one request to client, job and the task it claims ({@code budgets.perTask}), all or nothing; a
     * request with no task (null) is not charged per task.
     *
     * @return null when admitted (and charged); otherwise why not (nothing is charged)
     */
    public Refusal charge(BudgetsConfig limits, String client, String task, long bytes, long nowMillis) {
        return charge(limits, client, task, 1, bytes, nowMillis);
    }

    /** Charges bytes alone (a tunnel's relayed bytes, after its CONNECT was charged as a request). */
    public Refusal chargeBytes(BudgetsConfig limits, String client, long bytes, long nowMillis) {
        return charge(limits, client, null, 0, bytes, nowMillis);
    }

    private Refusal charge(BudgetsConfig limits, String client, String task, long requests, long bytes,
                           long nowMillis) {
        if (!limits.limited()) {
            return null;
        }
        long windowMillis = limits.window().toMillis();
        long index = WindowCounts.index(nowMillis, windowMillis);
        long retryAfter = WindowCounts.secondsLeft(nowMillis, windowMillis);
        WindowCounts mine = client == null || !limits.perClient().limited() ? null
                : clients.get(client, c -> new WindowCounts());
        WindowCounts theTask = task == null || !limits.perTask().limited() ? null
                : tasks.get(task, t -> new WindowCounts());
        synchronized (this) {
            if (bytes > 0 && jobTotalBytes + bytes > limits.jobTotalRequestBytes()) {
                return new Refusal("job_total", "this job may send " + limits.jobTotalRequestBytes()
                        + " request bytes in all (budgets.perJob.totalRequestBytes) and has sent " + jobTotalBytes
                        + "; this request would need " + bytes + " more", -1);
            }
            Refusal over = over(job, limits.perJob(), index, requests, bytes, "job", "budgets.perJob", retryAfter);
            if (over == null && mine != null) {
                over = over(mine, limits.perClient(), index, requests, bytes, "client", "budgets.perClient",
                        retryAfter);
            }
            if (over == null && theTask != null) {
                over = over(theTask, limits.perTask(), index, requests, bytes, "task", "budgets.perTask",
                        retryAfter);
            }
            if (over != null) {
                return over;
            }
            job.add(index, requests, bytes);
            if (mine != null) {
                mine.add(index, requests, bytes);
            }
            if (theTask != null) {
                theTask.add(index, requests, bytes);
            }
            jobTotalBytes += bytes;
            return null;
        }
    }

    /** Why the next {@code moreRequests} and {@code moreBytes} would go over {@code budget}; null when not. */
    private static Refusal over(WindowCounts used, BudgetsConfig.Budget budget, long window, long moreRequests,
                                long moreBytes, String scope, String key, long retryAfter) {
        long usedRequests = used.first(window);
        long usedBytes = used.second(window);
        if (moreRequests > 0 && usedRequests + moreRequests > budget.requests()) {
            return new Refusal(scope, "the " + scope + " has made " + usedRequests + " requests in this window, "
                    + "the most " + key + ".requests allows; the window ends in " + retryAfter + " s", retryAfter);
        }
        if (moreBytes > 0 && usedBytes + moreBytes > budget.requestBytes()) {
            return new Refusal(scope, "the " + scope + " has sent " + usedBytes + " request bytes in this "
                    + "window and " + key + ".requestBytes allows " + budget.requestBytes() + "; this request "
                    + "would need " + moreBytes + " more; the window ends in " + retryAfter + " s", retryAfter);
        }
        return null;
    }
}
