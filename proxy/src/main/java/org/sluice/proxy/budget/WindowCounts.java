package org.sluice.proxy.budget;

/**
 * Two counts kept in fixed windows: what was added in the current window, zero again once a new one begins.
 * Windows are numbered from the epoch ({@link #index}), so every count of one length agrees on where a window
 * ends. Shared by the budget and content ledgers; not thread-safe: guarded by its ledger's lock.
 */
final class WindowCounts {
    private long index = Long.MIN_VALUE;
    private long first;
    private long second;

    /** The number of the window that {@code nowMillis} falls in. */
    static long index(long nowMillis, long windowMillis) {
        return nowMillis / windowMillis;
    }

    /** Whole seconds, at least 1, from {@code nowMillis} to the end of its window: a Retry-After. */
    static long secondsLeft(long nowMillis, long windowMillis) {
        long end = (index(nowMillis, windowMillis) + 1) * windowMillis;
        return Math.max(1, (end - nowMillis + 999) / 1000);
    }

    /** The first count in window {@code window} (0 when nothing was added in it). */
    long first(long window) {
        return window == index ? first : 0;
    }

    /** The second count in window {@code window} (0 when nothing was added in it). */
    long second(long window) {
        return window == index ? second : 0;
    }

    /** Adds to both counts in window {@code window}, starting it afresh when it is a new one. */
    void add(long window, long moreFirst, long moreSecond) {
        if (window != index) {
            index = window;
            first = 0;
            second = 0;
        }
        first += moreFirst;
        second += moreSecond;
    }
}
