package org.sluice.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LeakReportGuardTest {

    private final LeakReportGuard guard = new LeakReportGuard();

    @Test
    void failsOnABufferThatWasNeverReleasedAndThenForgetsIt() {
        String marker = "deliberate-leak-" + UUID.randomUUID();
        leakOneBuffer(marker);

        List<String> reports = guard.awaitReports(report -> report.contains(marker), Duration.ofSeconds(10));
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0)).contains("LEAK").contains("release() was not called");

        // What afterAll does for every class; it also clears the capture, so this deliberate leak fails nothing else.
        assertThatThrownBy(() -> guard.assertNoLeaks("the deliberate leak"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 Netty leak report(s) while the deliberate leak ran")
                .hasMessageContaining(marker);
        assertThat(guard.collectReports()).isEmpty();
    }

    @Test
    void releasedBuffersAreNotReported() {
        String marker = "released-" + UUID.randomUUID();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        buf.touch(marker);
        buf.release();

        guard.assertNoLeaks("a released buffer");
    }

    /** Allocated in its own frame so that nothing keeps the buffer reachable after the call. */
    private static void leakOneBuffer(String marker) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        buf.writeLong(42);
        buf.touch(marker);
    }
}
