package org.sluice.proxy.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. Registered for every test class through
 * META-INF/services and {@code junit.jupiter.extensions.autodetection.enabled}.
 *
 * <p>Netty only notices a leak when the leaked buffer has been garbage-collected and a later allocation polls
 * the detector's reference queue, so after each class the guard forces a GC, waits until reference processing
 * has run, and allocates a few buffers before it looks at what {@link LeakReportAppender} captured.
 */
public final class LeakReportGuard implements AfterAllCallback {

    private static final String DETECTOR_LOGGER = ResourceLeakDetector.class.getName();

    private final LeakReportAppender appender;

    public LeakReportGuard() {
        this.appender = findAppender();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoLeaks(context.getDisplayName());
    }

    /**
     * Forces a GC and leak reporting, then throws an AssertionError listing every captured report. The reports
     * are removed either way, so that one leak fails one class, not every class after it.
     */
    public void assertNoLeaks(String where) {
        provokeReporting();
        List<String> leaks = appender.remove(report -> true);
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty leak report(s) while " + where + " ran:\n"
                    + String.join("\n\n", leaks));
        }
    }

    /** Forces a GC and leak reporting, then returns every report captured so far (they stay captured). */
    public List<String> collectReports() {
        provokeReporting();
        return appender.reports();
    }

    /**
     * Provokes reporting until some captured report matches or the timeout passes; returns the matching reports,
     * which stay captured.
     */
    public List<String> awaitReports(Predicate<String> which, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> matching;
        do {
            provokeReporting();
            matching = appender.reports().stream().filter(which).toList();
        } while (matching.isEmpty() && System.nanoTime() < deadline);
        return matching;
    }

    private static void provokeReporting() {
        awaitReferenceProcessing();
        for (ByteBufAllocator allocator : List.of(PooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT,
                UnpooledByteBufAllocator.DEFAULT)) {
            for (int i = 0; i < 4; i++) {
                // With leak detection on, every allocation polls the detector's queue and logs what it finds.
                ByteBuf direct = allocator.directBuffer(64);
                direct.release();
                ByteBuf heap = allocator.heapBuffer(64);
                heap.release();
            }
        }
    }

    /** Runs GCs until a sentinel weak reference has been enqueued, i.e. references cleared by the GC are queued. */
    private static void awaitReferenceProcessing() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        try {
            for (int attempt = 0; attempt < 5; attempt++) {
                System.gc();
                if (queue.remove(200) != null) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sentinel.clear();
        }
    }

    private static LeakReportAppender findAppender() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new IllegalStateException("Logback is not the SLF4J backend in tests; leak reports would go unseen");
        }
        Logger logger = context.getLogger(DETECTOR_LOGGER);
        if (!logger.isEnabledFor(Level.ERROR) || !(logger.getAppender(LeakReportAppender.NAME) instanceof LeakReportAppender found)) {
            throw new IllegalStateException("logback-test.xml must attach " + LeakReportAppender.class.getSimpleName()
                    + " named " + LeakReportAppender.NAME + " to " + DETECTOR_LOGGER + " at ERROR");
        }
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("tests must run with -Dio.netty.leakDetection.level=paranoid (surefire argLine)");
        }
        return found;
    }
}
