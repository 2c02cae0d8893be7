package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.gateway.ConnectionCounts;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/** gateway.maxConnections and gateway.maxConnectionsPerClient: the connection over a cap gets one 503 and ends. */
class ConnectionCapsE2ETest {

    private static final String GET = "GET /api/tasks HTTP/1.1\r\nHost: sluice\r\n\r\n";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private RecordingUpstream upstream;
    private TestSluice sluice;
    private final List<RawHttpConnection> open = new ArrayList<>();

    private void start(int maxConnections, int perClient) throws Exception {
        upstream = RecordingUpstream.start();
        sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                rules:
                  - name: api
                    methods: [GET, POST]
                    paths: ["/api/**"]
                """).replace("  upstream: " + upstream.url() + "\n", "  upstream: " + upstream.url() + "\n"
                + "  maxConnections: " + maxConnections + "\n  maxConnectionsPerClient: " + perClient + "\n"));
    }

    @AfterEach
    void stop() throws IOException {
        for (RawHttpConnection connection : open) {
            connection.close();
        }
        if (sluice != null) {
            sluice.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private RawHttpConnection connectAndGet() throws IOException {
        RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort());
        open.add(connection);
        assertThat(connection.send(GET).readResponse().status()).isEqualTo(200);
        return connection;
    }

    private ConnectionCounts counts() {
        return sluice.server().connectionCounts();
    }

    @Test
    void theFourthConnectionFromOneClientGetsOne503AndTheFirstThreeKeepWorking() throws Exception {
        start(100, 3);
        List<RawHttpConnection> admitted = List.of(connectAndGet(), connectAndGet(), connectAndGet());
        int forwarded = upstream.received().size();

        try (RawHttpConnection fourth = RawHttpConnection.open(sluice.gatewayPort())) {
            // With a body: it is never read, let alone forwarded.
            RawResponse refused = fourth.send("POST /api/results HTTP/1.1\r\nHost: sluice\r\nContent-Length: 5\r\n\r\n"
                    + "12345").readResponse();

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("X-Sluice-Error")).isEqualTo("unavailable");
            assertThat(refused.header("Connection")).isEqualTo("close");
            assertThat((String) refused.json().get("reason")).contains("maxConnectionsPerClient (3)");
            assertThat(fourth.closedByPeerWithin(WAIT)).isTrue();
        }
        for (RawHttpConnection connection : admitted) {
            assertThat(connection.send(GET).readResponse().status()).isEqualTo(200);
        }

        assertThat(upstream.received()).hasSize(forwarded + 3)
                .noneMatch(r -> r.uri().startsWith("/api/results"));
        List<Map<String, Object>> records = sluice.awaitAudit(7);
        assertThat(records).filteredOn(r -> Long.valueOf(503).equals(r.get("status")))
                .singleElement()
                .satisfies(r -> assertThat((String) r.get("reason")).contains("maxConnectionsPerClient (3)"));
        assertThat(metrics()).contains("sluice_connections_refused_total{reason=\"max_connections_per_client\"} 1.0")
                .contains("sluice_connections_refused_total{reason=\"max_connections\"} 0.0");
    }

    @Test
    void theConnectionOverTheTotalCapGetsOne503NamingIt() throws Exception {
        // The admin listener's own connection is not a gateway connection and does not count.
        start(2, 100);
        RawHttpConnection first = connectAndGet();
        RawHttpConnection second = connectAndGet();

        RawResponse refused = RawHttpConnection.exchange(sluice.gatewayPort(), GET);

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("X-Sluice-Error")).isEqualTo("unavailable");
        assertThat((String) refused.json().get("reason")).contains("maxConnections (2)");
        assertThat(first.send(GET).readResponse().status()).isEqualTo(200);
        assertThat(second.send(GET).readResponse().status()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(4);
        assertThat(sluice.awaitAudit(5)).filteredOn(r -> Long.valueOf(503).equals(r.get("status"))).hasSize(1);
        assertThat(metrics()).contains("sluice_connections_refused_total{reason=\"max_connections\"} 1.0");
    }

    @Test
    void aClosedConnectionFreesItsPlace() throws Exception {
        start(100, 1);
        connectAndGet().close();
        Await.until(() -> counts().total() == 0, WAIT, "the closed connection to be uncounted");

        assertThat(connectAndGet()).isNotNull();
    }

    @Test
    void countsReturnToZeroAfterManyConcurrentConnectionsSoTheCapsStillAdmit() throws Exception {
        start(3, 3);
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> openAndClose(perThread)));
            }
            int ok = 0;
            int refused = 0;
            for (Future<int[]> result : results) {
                int[] counts = result.get(60, TimeUnit.SECONDS);
                ok += counts[0];
                refused += counts[1];
            }
            assertThat(ok + refused).isEqualTo(threads * perThread);
            assertThat(ok).isPositive();
        } finally {
            pool.shutdownNow();
        }

        Await.until(() -> counts().total() == 0 && counts().clients() == 0, WAIT, "every connection uncounted");
        RawHttpConnection a = connectAndGet();
        RawHttpConnection b = connectAndGet();
        RawHttpConnection c = connectAndGet();
        assertThat(List.of(a, b, c)).hasSize(3);
        assertThat(counts().total()).isEqualTo(3);
        assertThat(counts().clients()).isEqualTo(1);
    }

    /** Opens, asks once and closes, {@code times} times; returns {200s, 503s}. */
    private int[] openAndClose(int times) throws IOException {
        int[] counts = new int[2];
        for (int i = 0; i < times; i++) {
            int status = RawHttpConnection.exchange(sluice.gatewayPort(), GET).status();
            assertThat(status).isIn(200, 503);
            counts[status == 200 ? 0 : 1]++;
        }
        return counts;
    }

    private String metrics() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sluice.server().metrics().writeText(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
