package org.sluice.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

class SkipReporterTest {

    @Test
    void aSkippedTestIsOneLineOnTheConsoleWithTheAssumptionsReason() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Throwable skipped = catchAbort(() -> Assumptions.assumeTrue(false, "iptables not found"));
        Method method = getClass().getDeclaredMethod("aSkippedTestIsOneLineOnTheConsoleWithTheAssumptionsReason");

        new SkipReporter(new PrintStream(console, true, StandardCharsets.UTF_8)).testAborted(context(method),
                skipped);

        assertThat(console.toString(StandardCharsets.UTF_8)).isEqualTo("SKIPPED SkipReporterTest."
                + "aSkippedTestIsOneLineOnTheConsoleWithTheAssumptionsReason: iptables not found"
                + System.lineSeparator());
    }

    @Test
    void theReasonIsTheFirstLineOfAnyAbort() {
        Throwable assertj = catchAbort(() -> org.assertj.core.api.Assumptions.assumeThat(false)
                .as("HUP is ignored in this JVM").isTrue());

        assertThat(SkipReporter.reason(assertj)).isEqualTo("[HUP is ignored in this JVM]");
        assertThat(SkipReporter.reason(new TestAbortedException())).isEqualTo("TestAbortedException");
    }

    private static Throwable catchAbort(Runnable assumption) {
        try {
            assumption.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("the assumption did not abort");
    }

    /** Just what the reporter asks of a test's context: its class and method. */
    private ExtensionContext context(Method method) {
        return (ExtensionContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ExtensionContext.class}, (proxy, called, args) -> switch (called.getName()) {
                    case "getRequiredTestClass" -> getClass();
                    case "getTestMethod" -> Optional.of(method);
                    default -> throw new UnsupportedOperationException(called.getName());
                });
    }
}
