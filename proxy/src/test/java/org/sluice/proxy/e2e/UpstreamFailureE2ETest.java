package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.http.Fault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sluice.policy.config.AuditConfig;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.audit.AuditSink;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.FreePorts;
import org.sluice.proxy.testing.JsonLines;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestSluice;

/** The central server down, silent or broken, and the audit log unwritable: each has its answer and its record. */
class UpstreamFailureE2ETest {

    private static final String RULES = """
            rules:
              - name: central-api
                methods: [GET, POST]
                paths: ["/api/**"]
            """;

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200).withBody("fine"));

    @Test
    void centralServerDownGives502AndIsAudited() throws Exception {
        try (Socket unlistened = FreePorts.unlistened();
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml("http://127.0.0.1:" + unlistened.getLocalPort(), RULES))) {
            RawResponse response = get(sluice, "/api/down");

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("X-Sluice-Error")).isEqualTo("upstream_failed");
            assertThat(response.json()).containsEntry("error", "upstream_failed")
                    .containsEntry("requestId", response.header("X-Sluice-Request-Id"));
            Map<String, Object> record = single(sluice.awaitAudit(1));
            assertThat(record).containsEntry("id", response.header("X-Sluice-Request-Id"))
                    .containsEntry("decision", "allow").containsEntry("status", 502L)
                    .containsEntry("error", "upstream_failed").containsEntry("path", "/api/down")
                    .containsEntry("port", (long) unlistened.getLocalPort());
        }
    }

    @Test
    void centralServerTooSlowGives504AndIsAudited() throws Exception {
        central.stubFor(any(urlPathEqualTo("/api/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(2000)
                .withBody("late")));
        try (TestSluice sluice = TestSluice.start(withResponseTimeout(CentralServer.httpUrl(central), "300ms"))) {
            long started = System.nanoTime();
            RawResponse response = get(sluice, "/api/slow");
            long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

            assertThat(response.status()).isEqualTo(504);
            assertThat(response.header("X-Sluice-Error")).isEqualTo("upstream_timeout");
            assertThat(response.json()).containsEntry("error", "upstream_timeout");
            assertThat(tookMillis).isBetween(250L, 1900L);
            Map<String, Object> record = single(sluice.awaitAudit(1));
            assertThat(record).containsEntry("status", 504L).containsEntry("error", "upstream_timeout")
                    .containsEntry("decision", "allow").containsEntry("path", "/api/slow");
        }
    }

    @Test
    void centralServerResettingTheConnectionGives502() throws Exception {
        central.stubFor(any(urlPathEqualTo("/api/reset")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        try (TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), RULES))) {
            RawResponse response = get(sluice, "/api/reset");

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("X-Sluice-Error")).isEqualTo("upstream_failed");
            assertThat(single(sluice.awaitAudit(1))).containsEntry("status", 502L);

            // The broken connection is not handed to the next request.
            RawResponse next = get(sluice, "/api/after-reset");
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bodyText()).isEqualTo("fine");
        }
    }

    @Test
    void auditWriteFailureStopsForwardingUntilTheLogHeals() throws Exception {
        FailingSink sink = new FailingSink();
        AuditLog audit = AuditLog.to(sink, 1024);
        try (TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), RULES), audit)) {
            RawResponse first = get(sluice, "/api/before");
            assertThat(first.status()).isEqualTo(200);
            Await.until(() -> sink.records().size() == 1, Duration.ofSeconds(5), "the first record written");

            sink.failing.set(true);
            // Sluice can only learn that the disk fails by trying: this request's record is the one that fails.
            RawResponse unknowing = get(sluice, "/api/while-failing");
            assertThat(unknowing.status()).isIn(200, 503);
            Await.until(() -> !audit.accepting(), Duration.ofSeconds(5), "the audit log to stop accepting");
            central.resetRequests();

            for (int i = 0; i < 3; i++) {
                RawResponse refused = get(sluice, "/api/refused/" + i);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("X-Sluice-Error")).isEqualTo("unavailable");
                assertThat(refused.json()).containsEntry("error", "unavailable");
            }
            central.verify(0, anyRequestedFor(anyUrl()));
            assertThat(central.getAllServeEvents()).isEmpty();
            assertThat(audit.writeFailures()).isPositive();

            sink.failing.set(false);
            Await.until(audit::accepting, Duration.ofSeconds(5), "the audit log to accept again");
            RawResponse healed = get(sluice, "/api/after");
            assertThat(healed.status()).isEqualTo(200);
            assertThat(CentralServer.received(central)).extracting(r -> r.getUrl()).containsExactly("/api/after");

            // Nothing was lost while the sink failed: every request, refused or not, has its record. Records are in
            // the order Sluice finished the requests; the three refusals, on connections that may be served by
            // different event loops, can finish in any order relative to each other.
            List<Map<String, Object>> records = Await.until(sink::records, r -> r.size() == 6, Duration.ofSeconds(5),
                    "all six records");
            assertThat(records).extracting(r -> r.get("path")).startsWith("/api/before", "/api/while-failing")
                    .endsWith("/api/after");
            assertThat(records.subList(2, 5)).extracting(r -> r.get("path"))
                    .containsExactlyInAnyOrder("/api/refused/0", "/api/refused/1", "/api/refused/2");
            assertThat(records.subList(2, 5)).allSatisfy(r -> assertThat(r)
                    .containsEntry("status", 503L).containsEntry("error", "unavailable"));
            assertThat(sink.failedWrites.get()).isPositive();
        }
    }

    @Test
    void withOnFailureAllowAnAuditWriteFailureDoesNotStopForwarding() throws Exception {
        FailingSink sink = new FailingSink();
        AuditLog audit = AuditLog.builder().sink(sink).queueCapacity(1024).onFailure(AuditConfig.OnFailure.ALLOW)
                .open();
        try (TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), RULES), audit)) {
            assertThat(get(sluice, "/api/before").status()).isEqualTo(200);
            Await.until(() -> sink.records().size() == 1, Duration.ofSeconds(5), "the first record written");

            sink.failing.set(true);
            assertThat(get(sluice, "/api/while-failing").status()).isEqualTo(200);
            Await.until(() -> sink.failedWrites.get() > 0, Duration.ofSeconds(5), "a failed write");
            central.resetRequests();
            for (int i = 0; i < 3; i++) {
                RawResponse forwarded = get(sluice, "/api/forwarded/" + i);
                assertThat(forwarded.status()).isEqualTo(200);
                assertThat(forwarded.header("X-Sluice-Error")).isNull();
            }
            assertThat(CentralServer.received(central)).extracting(r -> r.getUrl())
                    .containsExactlyInAnyOrder("/api/forwarded/0", "/api/forwarded/1", "/api/forwarded/2");
            assertThat(audit.accepting()).isTrue();

            sink.failing.set(false);
            // The queue held the records while the sink failed: none was lost.
            List<Map<String, Object>> records = Await.until(sink::records, r -> r.size() == 5, Duration.ofSeconds(5),
                    "all five records");
            assertThat(records).extracting(r -> r.get("path")).startsWith("/api/before", "/api/while-failing");
            assertThat(records).allSatisfy(r -> assertThat(r).containsEntry("status", 200L));
            assertThat(audit.dropped()).isZero();
        }
    }

    private static String withResponseTimeout(String upstream, String timeout) {
        return """
                version: 1
                allowPrivate: [127.0.0.0/8]
                gateway:
                  listen: 127.0.0.1:0
                  upstream: %s
                  timeouts:
                    response: %s
                audit:
                  path: ${audit}
                """.formatted(upstream, timeout) + RULES;
    }

    private static RawResponse get(TestSluice sluice, String path) throws IOException {
        return RawHttpConnection.exchange(sluice.gatewayPort(), "GET " + path + " HTTP/1.1\r\nHost: sluice\r\n\r\n");
    }

    private static Map<String, Object> single(List<Map<String, Object>> records) {
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    /** An audit sink in memory that throws on every write while {@code failing} is set. */
    private static final class FailingSink implements AuditSink {
        final AtomicBoolean failing = new AtomicBoolean();
        final AtomicInteger failedWrites = new AtomicInteger();
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public synchronized void write(ByteBuffer batch) throws IOException {
            if (failing.get()) {
                failedWrites.incrementAndGet();
                throw new IOException("disk full (simulated)");
            }
            byte[] bytes = new byte[batch.remaining()];
            batch.get(bytes);
            written.write(bytes, 0, bytes.length);
        }

        @Override
        public void force() throws IOException {
            if (failing.get()) {
                throw new IOException("disk full (simulated)");
            }
        }

        @Override
        public void close() {
        }

        synchronized List<Map<String, Object>> records() {
            return written.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).map(JsonLines::object).toList();
        }
    }
}
