package org.sluice.proxy.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Keeps every ERROR event that reports a Netty resource leak, so that {@link LeakReportGuard} can fail the
 * test class that was running. Attached in logback-test.xml under the name {@value #NAME}; public because
 * Logback instantiates it by reflection.
 */
public final class LeakReportAppender extends AppenderBase<ILoggingEvent> {

    /** The appender's name in logback-test.xml; the guard looks it up by this name. */
    public static final String NAME = "LEAKS";

    private final ConcurrentLinkedQueue<String> reports = new ConcurrentLinkedQueue<>();

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.ERROR)) {
            return;
        }
        String message = event.getFormattedMessage();
        if (message != null && message.contains("LEAK")) {
            reports.add(withThrowable(message, event.getThrowableProxy()));
        }
    }

    /** A snapshot of the reports captured so far. */
    List<String> reports() {
        return List.copyOf(reports);
    }

    /** Removes and returns the captured reports that match. */
    List<String> remove(Predicate<String> which) {
        List<String> removed = new ArrayList<>();
        reports.removeIf(report -> which.test(report) && removed.add(report));
        return removed;
    }

    private static String withThrowable(String message, IThrowableProxy throwable) {
        return throwable == null ? message : message + " (" + throwable.getClassName() + ": " + throwable.getMessage() + ")";
    }
}
