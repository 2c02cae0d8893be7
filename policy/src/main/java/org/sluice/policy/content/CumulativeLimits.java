package org.sluice.policy.content;

/**
 * How many protected rows and rare values a job may send over many requests ({@code protectedData.perJob}) and
 * within one budget window ({@code protectedData.perWindow}, windows of {@code budgets.window}). The proxy keeps
 * the counts; {@link Long#MAX_VALUE} means no limit.
 */
public record CumulativeLimits(long jobRows, long jobRareValues, long windowRows, long windowRareValues) {

    public static final CumulativeLimits NONE =
            new CumulativeLimits(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

    /** True when any limit is set (else nothing needs counting across requests). */
    public boolean limited() {
        return jobRows != Long.MAX_VALUE || jobRareValues != Long.MAX_VALUE || windowRows != Long.MAX_VALUE
                || windowRareValues != Long.MAX_VALUE;
    }
}
