package org.sluice.proxy.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: the bounded wait tests use instead of sleeping. */
public final class Await {

    private static final long POLL_NANOS = Duration.ofMillis(5).toNanos();

    private Await() {}

    /** Returns the first value that satisfies the condition; fails with the last value seen after the timeout. */
    public static <T> T until(Supplier<T> value, Predicate<? super T> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T current = value.get();
            if (condition.test(current)) {
                return current;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; last value: " + current);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    public static void until(java.util.function.BooleanSupplier condition, Duration timeout, String what) {
        until(condition::getAsBoolean, Boolean::booleanValue, timeout, what);
    }

    /** Waits up to ten seconds for the condition. */
    public static void until(String what, java.util.function.BooleanSupplier condition) {
        until(condition, Duration.ofSeconds(10), what);
    }
}
