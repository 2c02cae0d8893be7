package org.sluice.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SluiceMetricsTest {

    static String text(SluiceMetrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.writeText(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The value of the sample whose name and label set (in the writer's order) match exactly, if any. */
    static OptionalDouble sample(String text, String nameAndLabels) {
        for (String line : text.split("\n")) {
            if (line.startsWith(nameAndLabels + " ")) {
                return OptionalDouble.of(Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim()));
            }
        }
        return OptionalDouble.empty();
    }

    private static double value(String text, String nameAndLabels) {
        OptionalDouble v = sample(text, nameAndLabels);
        assertThat(v).as("sample %s in%n%s", nameAndLabels, text).isPresent();
        return v.getAsDouble();
    }

    @Test
    void countsRequestsByListenerDecisionAndCode() throws IOException {
        SluiceMetrics metrics = new SluiceMetrics();
        metrics.requestFinished("gateway", "allow", 200, TimeUnit.MILLISECONDS.toNanos(3), 100, 2000);
        metrics.requestFinished("gateway", "allow", 200, TimeUnit.MILLISECONDS.toNanos(7), 50, 1000);
        metrics.requestFinished("gateway", "deny", 403, TimeUnit.MICROSECONDS.toNanos(300), 0, 0);
        metrics.requestFinished("forward", "report", 502, TimeUnit.SECONDS.toNanos(2), 10, 0);

        String text = text(metrics);

        assertThat(value(text, "sluice_requests_total{code=\"200\",decision=\"allow\",listener=\"gateway\"}"))
                .isEqualTo(2);
        assertThat(value(text, "sluice_requests_total{code=\"403\",decision=\"deny\",listener=\"gateway\"}"))
                .isEqualTo(1);
        assertThat(value(text, "sluice_requests_total{code=\"502\",decision=\"report\",listener=\"forward\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "sluice_requests_total{code=\"403\",decision=\"allow\",listener=\"gateway\"}"))
                .isEmpty();
        assertThat(value(text, "sluice_request_body_bytes_total{listener=\"gateway\"}")).isEqualTo(150);
        assertThat(value(text, "sluice_response_body_bytes_total{listener=\"gateway\"}")).isEqualTo(3000);
        assertThat(value(text, "sluice_request_body_bytes_total{listener=\"forward\"}")).isEqualTo(10);
    }

    @Test
    void countsEveryRequestByteSentUpstreamApartFromBodyBytes() throws IOException {
        SluiceMetrics metrics = new SluiceMetrics();
        metrics.requestFinished("gateway", "allow", 200, 1_000, 0, 2, 412);
        metrics.requestFinished("gateway", "allow", 200, 1_000, 100, 2, 530);
        metrics.requestFinished("gateway", "deny", 403, 1_000, 0, 0, 0);

        String text = text(metrics);

        assertThat(value(text, "sluice_upstream_request_bytes_total{listener=\"gateway\"}")).isEqualTo(942);
        assertThat(value(text, "sluice_request_body_bytes_total{listener=\"gateway\"}")).isEqualTo(100);
        assertThat(text).contains("# HELP sluice_request_body_bytes_total Request body bytes forwarded upstream "
                + "(a tunnel: bytes relayed from the client)\n");
    }

    @Test
    void upstreamLatencyHasAHistogramOfItsOwnThatRefusalsDoNotTouch() throws IOException {
        SluiceMetrics metrics = new SluiceMetrics();
        metrics.requestFinished("gateway", "deny", 403, TimeUnit.MICROSECONDS.toNanos(300), 0, 0);
        metrics.requestFinished("gateway", "allow", 200, TimeUnit.MILLISECONDS.toNanos(40), 0, 0);
        metrics.upstreamAnswered("gateway", TimeUnit.MILLISECONDS.toNanos(30));

        String text = text(metrics);

        assertThat(value(text, "sluice_upstream_duration_seconds_count{listener=\"gateway\"}")).isEqualTo(1);
        assertThat(value(text, "sluice_upstream_duration_seconds_bucket{listener=\"gateway\",le=\"0.025\"}"))
                .isZero();
        assertThat(value(text, "sluice_upstream_duration_seconds_bucket{listener=\"gateway\",le=\"0.05\"}"))
                .isEqualTo(1);
        assertThat(value(text, "sluice_request_duration_seconds_count{listener=\"gateway\"}")).isEqualTo(2);
    }

    @Test
    void buildInfoCarriesTheVersion() throws IOException {
        String text = text(new SluiceMetrics(PooledByteBufAllocator.DEFAULT, "1.2.3"));

        assertThat(value(text, "sluice_build_info{version=\"1.2.3\"}")).isEqualTo(1);
        assertThat(text(new SluiceMetrics())).contains("sluice_build_info{version=\"" + SluiceBuild.version() + "\"} 1");
    }

    @Test
    void durationsLandInTheRightBuckets() throws IOException {
        SluiceMetrics metrics = new SluiceMetrics();
        metrics.requestFinished("gateway", "deny", 403, TimeUnit.MICROSECONDS.toNanos(300), 0, 0);
        metrics.requestFinished("gateway", "allow", 200, TimeUnit.MILLISECONDS.toNanos(7), 0, 0);
        metrics.requestFinished("gateway", "allow", 200, TimeUnit.SECONDS.toNanos(60), 0, 0);

        String text = text(metrics);

        assertThat(value(text, "sluice_request_duration_seconds_bucket{listener=\"gateway\",le=\"5.0E-4\"}"))
                .isEqualTo(1);
        assertThat(value(text, "sluice_request_duration_seconds_bucket{listener=\"gateway\",le=\"0.005\"}"))
                .isEqualTo(1);
        assertThat(value(text, "sluice_request_duration_seconds_bucket{listener=\"gateway\",le=\"0.01\"}"))
                .isEqualTo(2);
        assertThat(value(text, "sluice_request_duration_seconds_bucket{listener=\"gateway\",le=\"30.0\"}"))
                .isEqualTo(2);
        assertThat(value(text, "sluice_request_duration_seconds_bucket{listener=\"gateway\",le=\"+Inf\"}"))
                .isEqualTo(3);
        assertThat(value(text, "sluice_request_duration_seconds_count{listener=\"gateway\"}")).isEqualTo(3);
        assertThat(value(text, "sluice_request_duration_seconds_sum{listener=\"gateway\"}"))
                .isCloseTo(60.0073, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void tracksActiveConnectionsAndAuditFailures() throws IOException {
        SluiceMetrics metrics = new SluiceMetrics();
        metrics.connectionOpened("gateway");
        metrics.connectionOpened("gateway");
        metrics.connectionOpened("forward");
        metrics.connectionOpened("gateway");
        metrics.connectionClosed("gateway");
        metrics.auditWriteFailure();
        metrics.auditWriteFailure();

        String text = text(metrics);

        assertThat(value(text, "sluice_connections_active{listener=\"gateway\"}")).isEqualTo(2);
        assertThat(value(text, "sluice_connections_active{listener=\"forward\"}")).isEqualTo(1);
        assertThat(value(text, "sluice_audit_write_failures_total")).isEqualTo(2);
    }

    @Test
    void reportsTheAllocatorItIsGiven() throws IOException {
        PooledByteBufAllocator allocator = new PooledByteBufAllocator(true);
        SluiceMetrics metrics = new SluiceMetrics(allocator);
        assertThat(value(text(metrics), "sluice_netty_allocator_used_direct_bytes")).isZero();

        ByteBuf direct = allocator.directBuffer(64 * 1024);
        ByteBuf heap = allocator.heapBuffer(64 * 1024);
        try {
            String text = text(metrics);
            assertThat(value(text, "sluice_netty_allocator_used_direct_bytes")).isGreaterThanOrEqualTo(64 * 1024);
            assertThat(value(text, "sluice_netty_allocator_used_heap_bytes")).isGreaterThanOrEqualTo(64 * 1024);
        } finally {
            direct.release();
            heap.release();
        }
    }

    @Test
    void includesJvmMetricsAndTheDefaultAllocator() throws IOException {
        SluiceMetrics metrics = new SluiceMetrics();
        metrics.requestFinished("gateway", "allow", 200, 1, 0, 0);
        String text = text(metrics);

        assertThat(value(text, "jvm_threads_current")).isPositive();
        assertThat(text).contains("jvm_memory_used_bytes{area=\"heap\"}");
        assertThat(sample(text, "sluice_netty_allocator_used_heap_bytes")).isPresent();
        assertThat(text).contains("# TYPE sluice_requests_total counter", "# TYPE sluice_connections_active gauge",
                "# TYPE sluice_request_duration_seconds histogram");
    }

    @Test
    void theJvmMetricsAreRegisteredAtTheFirstScrapeNotBefore() throws Exception {
        // A class loader of its own: in this JVM other tests have scraped already.
        try (ClassRecordingLoader loader = ClassRecordingLoader.ofTestClassPath()) {
            Class<?> type = loader.loadClass(SluiceMetrics.class.getName());
            Object metrics = type.getConstructor().newInstance();
            type.getMethod("requestFinished", String.class, String.class, int.class, long.class, long.class,
                    long.class).invoke(metrics, "gateway", "allow", 200, 1L, 0L, 0L);

            assertThat(loader.loaded()).as("classes loaded before a scrape")
                    .doesNotContain("io.prometheus.metrics.instrumentation.jvm.JvmMetrics")
                    .noneMatch(name -> name.startsWith("java.lang.management.")
                            || name.startsWith("javax.management."));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            type.getMethod("writeText", java.io.OutputStream.class).invoke(metrics, out);
            String text = out.toString(StandardCharsets.UTF_8);

            assertThat(loader.loaded()).contains("io.prometheus.metrics.instrumentation.jvm.JvmMetrics");
            assertThat(value(text, "jvm_threads_current")).isPositive();
            assertThat(text).contains("jvm_memory_used_bytes{area=\"heap\"}", "jvm_gc_collection_seconds_count")
                    .contains("sluice_requests_total{code=\"200\",decision=\"allow\",listener=\"gateway\"} 1.0");
        }
    }

    @Test
    void eachInstanceHasItsOwnRegistry() throws IOException {
        SluiceMetrics first = new SluiceMetrics();
        SluiceMetrics second = new SluiceMetrics();
        first.auditWriteFailure();

        assertThat(value(text(first), "sluice_audit_write_failures_total")).isEqualTo(1);
        assertThat(value(text(second), "sluice_audit_write_failures_total")).isZero();
    }

    @Test
    void anInstanceNobodyHoldsIsCollectedWithItsRegistry() throws InterruptedException {
        // The Prometheus JvmMetrics keep every registry they were registered with in a static set; a fuzz run that
        // made one SluiceMetrics per input filled a 1 GiB heap with them.
        SluiceMetrics metrics = new SluiceMetrics();
        WeakReference<PrometheusRegistry> registry = new WeakReference<>(metrics.registry());
        metrics = null;

        for (int attempt = 0; attempt < 50 && registry.get() != null; attempt++) {
            System.gc();
            Thread.sleep(20);
        }

        assertThat(registry.get()).as("the registry of a dropped SluiceMetrics").isNull();
    }

    @Test
    void everyInstanceReportsTheJvmMetricsOnce() throws IOException {
        String first = text(new SluiceMetrics());
        String second = text(new SluiceMetrics());

        for (String text : List.of(first, second)) {
            assertThat(text.lines().filter(line -> line.equals("# TYPE jvm_threads_current gauge"))).hasSize(1);
        }
    }

    @Test
    void contentTypeIsTheTextFormat004() {
        assertThat(SluiceMetrics.CONTENT_TYPE).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void namesThePolicyInForceWithOneInfoSample() throws IOException {
        SluiceMetrics metrics = new SluiceMetrics();
        String first = "a".repeat(64);
        String second = "b".repeat(64);

        metrics.policyInForce(first);
        String before = text(metrics);
        metrics.policyInForce(second);
        String after = text(metrics);

        assertThat(value(before, "sluice_policy_info{hash=\"" + first + "\"}")).isEqualTo(1);
        assertThat(value(after, "sluice_policy_info{hash=\"" + second + "\"}")).isEqualTo(1);
        assertThat(after.lines().filter(line -> line.startsWith("sluice_policy_info{"))).hasSize(1);
        assertThat(after).contains("# TYPE sluice_policy_info gauge");
    }

    @Test
    void countsReloadsByResultFromZero() throws IOException {
        SluiceMetrics metrics = new SluiceMetrics();
        String fresh = text(metrics);
        metrics.policyReloaded("ok");
        metrics.policyReloaded("ok");
        metrics.policyReloaded("restart_required");

        String text = text(metrics);

        assertThat(value(fresh, "sluice_policy_reloads_total{result=\"ok\"}")).isZero();
        assertThat(value(fresh, "sluice_policy_reloads_total{result=\"error\"}")).isZero();
        assertThat(value(fresh, "sluice_policy_reloads_total{result=\"restart_required\"}")).isZero();
        assertThat(value(text, "sluice_policy_reloads_total{result=\"ok\"}")).isEqualTo(2);
        assertThat(value(text, "sluice_policy_reloads_total{result=\"error\"}")).isZero();
        assertThat(value(text, "sluice_policy_reloads_total{result=\"restart_required\"}")).isEqualTo(1);
    }
}
