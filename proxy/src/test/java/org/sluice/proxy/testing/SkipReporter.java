package org.sluice.proxy.testing;

import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints one line on the console for every test an assumption skipped (a missing tool, no IPv6, not Linux), such
 * as {@code SKIPPED NetworkEnforcementIT.onlySluiceGetsOut: iptables not found}, so that a skip shows in the build
 * output and not only in the XML reports. Registered for every test class through META-INF/services and
 * {@code junit.jupiter.extensions.autodetection.enabled}.
 */
public final class SkipReporter implements TestWatcher {
    /** What JUnit's and AssertJ's assumptions put before the reason. */
    private static final List<String> PREFIXES = List.of("Assumption failed: ", "assumption was not met due to: ");

    private final PrintStream console;

    public SkipReporter() {
        this(System.out);
    }

    SkipReporter(PrintStream console) {
        this.console = console;
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        String test = context.getRequiredTestClass().getSimpleName()
                + context.getTestMethod().map(m -> "." + m.getName()).orElse("");
        console.println("SKIPPED " + test + ": " + reason(cause));
        console.flush();
    }

    /** The assumption's own words: its first line, without JUnit's or AssertJ's lead-in. */
    static String reason(Throwable cause) {
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        String first = message.strip().lines().findFirst().orElse("").strip();
        for (String prefix : PREFIXES) {
            if (first.startsWith(prefix)) {
                return first.substring(prefix.length()).strip();
            }
        }
        return first;
    }
}
