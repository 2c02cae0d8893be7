package org.sluice.proxy.budget;

import java.time.Duration;
import org.sluice.policy.content.CumulativeLimits;

/**
 * The protected rows and rare values the job (this Sluice) has let out, summed over requests: since Sluice started
 * ({@code protectedData.perJob}) and in fixed windows of {@code budgets.window} ({@code protectedData.perWindow}),
 * so that one row per request over many requests is caught as surely as many rows in one. A request's counts are
 * the distinct rows and values its content check found in it; the same row sent twice counts twice. The counts are
 * the job's, whichever rule's check found them. Shared by both listeners; one short lock per request that carries
 * findings or meets a limit, none otherwise. Counts start at zero when Sluice starts; a reload changes the limits,
 * not the counts.
 */
public final class ContentLedger {
    private static final String[] ROWS = {"rows", "maxRows"};
    private static final String[] RARE_VALUES = {"rare values", "maxRareValues"};

    private final WindowCounts window = new WindowCounts();
    private long jobRows;
    private long jobRareValues;

    /**
     * Why a request was refused: the limit it would cross ({@code perJob} or {@code perWindow}), in a sentence that
     * gives the counts and the limit, never a value.
     */
    public record Refusal(String scope, String reason) {
    }

    /**
     * Counts a request that carries {@code rows} protected rows and {@code rareValues} rare values, all or nothing:
     * when it would take the job past a limit, nothing is counted.
     *
     * @param windowLength the policy's {@code budgets.window}
     * @return null when admitted (and counted); otherwise which limit it would cross
     */
    public Refusal charge(CumulativeLimits limits, Duration windowLength, long rows, long rareValues,
                          long nowMillis) {
        if (rows == 0 && rareValues == 0) {
            return null; // nothing to count, and no count can go past a limit by adding nothing
        }
        long windowMillis = windowLength.toMillis();
        long index = WindowCounts.index(nowMillis, windowMillis);
        synchronized (this) {
            Refusal over = over("perJob", "in all", jobRows, rows, limits.jobRows(), ROWS);
            if (over == null) {
                over = over("perJob", "in all", jobRareValues, rareValues, limits.jobRareValues(), RARE_VALUES);
            }
            if (over == null) {
                String inWindow = "in this window (ends in " + WindowCounts.secondsLeft(nowMillis, windowMillis)
                        + " s)";
                over = over("perWindow", inWindow, window.first(index), rows, limits.windowRows(), ROWS);
                if (over == null) {
                    over = over("perWindow", inWindow, window.second(index), rareValues, limits.windowRareValues(),
                            RARE_VALUES);
                }
            }
            if (over != null) {
                return over;
            }
            add(index, rows, rareValues);
            return null;
        }
    }

    /**
     * Counts a request whatever the limits: one let through in report mode carried its rows out all the same, and
     * what it carried counts against the requests after it.
     */
    public void add(Duration windowLength, long rows, long rareValues, long nowMillis) {
        if (rows == 0 && rareValues == 0) {
            return;
        }
        long index = WindowCounts.index(nowMillis, windowLength.toMillis());
        synchronized (this) {
            add(index, rows, rareValues);
        }
    }

    /** The protected rows counted since Sluice started. */
    public synchronized long jobRows() {
        return jobRows;
    }

    /** The rare values counted since Sluice started. */
    public synchronized long jobRareValues() {
        return jobRareValues;
    }

    private void add(long index, long rows, long rareValues) {
        jobRows = saturatedAdd(jobRows, rows);
        jobRareValues = saturatedAdd(jobRareValues, rareValues);
        window.add(index, rows, rareValues);
    }

    /** {@code what}: the counted thing as said, and its config key under protectedData.perJob/perWindow. */
    private static Refusal over(String scope, String when, long used, long more, long limit, String[] what) {
        if (more == 0 || saturatedAdd(used, more) <= limit) {
            return null;
        }
        return new Refusal(scope, "the job has sent " + used + " protected " + what[0] + " " + when
                + " and protectedData." + scope + "." + what[1] + " allows " + limit + "; this request carries "
                + more + " more");
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
