package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.testing.HttpBytes;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/** gateway.timeouts.minBodyRate: a body trickled below the minimum ends its connection after the 5 s grace. */
class BodyRateE2ETest {

    private static final int BODY_BYTES = 10_000;

    private RecordingUpstream upstream;
    private TestSluice sluice;

    @BeforeEach
    void start() throws Exception {
        upstream = RecordingUpstream.start();
        sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                rules:
                  - name: api
                    methods: [GET, POST]
                    paths: ["/api/**"]
                """).replace("  upstream: " + upstream.url() + "\n", "  upstream: " + upstream.url() + "\n"
                + "  timeouts: {minBodyRate: 1KiB}\n"));
    }

    @AfterEach
    void stop() {
        sluice.close();
        upstream.close();
    }

    @Test
    void aBodyAtAFewBytesPerSecondIsCutAfterTheGraceAndNeverReachesTheUpstreamWhole() throws Exception {
        try (Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress("127.0.0.1", sluice.gatewayPort()), 5000);
            slow.setTcpNoDelay(true);
            // The read timeout paces the body: 4 bytes per 250 ms, 16 bytes/s against a minimum of 1024.
            slow.setSoTimeout(250);
            OutputStream out = slow.getOutputStream();
            InputStream in = slow.getInputStream();
            out.write(("POST /api/upload HTTP/1.1\r\nHost: sluice\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 60 && !closed; i++) {
                try {
                    out.write("abcd".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    int b = in.read();
                    assertThat(b).as("no answer, only the close").isNegative();
                    closed = true;
                } catch (SocketTimeoutException stillOpen) {
                    // Pacing: the connection is still open.
                } catch (SocketException reset) {
                    closed = true;
                }
            }
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(closed).as("closed by Sluice").isTrue();
            assertThat(elapsedMillis).isBetween(4_900L, 8_000L);
        }

        Map<String, Object> record = sluice.awaitAudit(1).get(0);
        assertThat(record).containsEntry("error", "body_too_slow").containsEntry("path", "/api/upload");
        assertThat((String) record.get("reason")).contains("below gateway.timeouts.minBodyRate (1024 bytes/s)");
        assertThat(upstream.received()).as("no complete request upstream").isEmpty();
    }

    @Test
    void aBodyJustAboveTheMinimumRateTakingLongerThanTheGraceIsForwarded() throws Exception {
        // 8 KiB, 1 KiB every 900 ms: about 1138 bytes/s against 1024, for some 7 s, past the 5 s grace.
        int parts = 8;
        int size = parts * 1024;
        byte[] body = HttpBytes.randomBytes(size, size);
        long started = System.nanoTime();
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("POST /api/upload HTTP/1.1\r\nHost: sluice\r\nContent-Length: " + size + "\r\n\r\n");
            for (int i = 0; i < parts; i++) {
                connection.send(Arrays.copyOfRange(body, i * 1024, (i + 1) * 1024));
                if (i < parts - 1) {
                    // Pacing, and the check that nothing ended the connection meanwhile.
                    assertThat(connection.closedByPeerWithin(Duration.ofMillis(900))).isFalse();
                }
            }
            assertThat(connection.readResponse().status()).isEqualTo(200);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(6));
        assertThat(upstream.received()).singleElement()
                .satisfies(r -> assertThat(r.body()).isEqualTo(body));
    }
}
