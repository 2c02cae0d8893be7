package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/** gateway.timeouts.requestHeader against slowloris: a head begun and not finished in time gets 400 and the close. */
class RequestHeadDeadlineE2ETest {

    private static final long DEADLINE_MILLIS = 1000;
    private static final String GET = "GET /api/tasks HTTP/1.1\r\nHost: sluice\r\n\r\n";

    private RecordingUpstream upstream;
    private TestSluice sluice;

    @BeforeEach
    void start() throws Exception {
        upstream = RecordingUpstream.start();
        sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                rules:
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """).replace("  upstream: " + upstream.url() + "\n", "  upstream: " + upstream.url() + "\n"
                + "  timeouts: {requestHeader: " + DEADLINE_MILLIS + "ms, idle: 60s}\n"));
    }

    @AfterEach
    void stop() {
        sluice.close();
        upstream.close();
    }

    @Test
    void aHeadSentByteByByteIsAnswered400AtTheDeadlineWhileAnotherClientIsServed() throws Exception {
        byte[] slowHead = "GET /api/slowloris HTTP/1.1\r\nHost: sluice\r\nX-Padding: ".getBytes(StandardCharsets.US_ASCII);
        int served = 0;
        try (Socket slow = new Socket();
             RawHttpConnection wellBehaved = RawHttpConnection.open(sluice.gatewayPort())) {
            slow.connect(new InetSocketAddress("127.0.0.1", sluice.gatewayPort()), 5000);
            slow.setTcpNoDelay(true);
            // Each round trip of the well-behaved client and a 50 ms read timeout on the slow one pace the bytes.
            slow.setSoTimeout(50);
            OutputStream out = slow.getOutputStream();
            InputStream in = slow.getInputStream();
            long started = System.nanoTime();
            int answerByte = -1;
            for (int i = 0; i < 200 && answerByte < 0; i++) {
                out.write(i < slowHead.length ? slowHead[i] : 'a');
                out.flush();
                assertThat(wellBehaved.send(GET).readResponse().status()).isEqualTo(200);
                served++;
                answerByte = readOrTimeOut(in);
            }
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(answerByte).as("the slow client got an answer").isGreaterThanOrEqualTo(0);
            assertThat(elapsedMillis).isBetween(DEADLINE_MILLIS - 100, DEADLINE_MILLIS + 1500);

            slow.setSoTimeout(10_000);
            String answer = (char) answerByte + readToEnd(in);
            assertThat(answer).startsWith("HTTP/1.1 400 ").containsIgnoringCase("X-Sluice-Error: bad_request")
                    .containsIgnoringCase("Connection: close")
                    .contains("request head not complete within 1s (gateway.timeouts.requestHeader)");
        }

        assertThat(served).isGreaterThan(5);
        // Both connections are gone; what the decoder still held of the slow head must not become a second record.
        Await.until(() -> sluice.server().connectionCounts().total() == 0, Duration.ofSeconds(10),
                "both connections closed");
        assertThat(RawHttpConnection.exchange(sluice.gatewayPort(), GET).status()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(served + 1).allMatch(r -> r.uri().equals("/api/tasks"));
        List<Map<String, Object>> records = sluice.awaitAudit(served + 2);
        assertThat(records).filteredOn(r -> Long.valueOf(400).equals(r.get("status"))).singleElement()
                .satisfies(r -> assertThat((String) r.get("reason")).contains("request head not complete"));
        assertThat(records).hasSize(served + 2);
    }

    @Test
    void aKeepAliveConnectionWaitingForItsNextRequestIsNotCutByTheHeadDeadline() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            assertThat(connection.send(GET).readResponse().status()).isEqualTo(200);

            assertThat(connection.closedByPeerWithin(Duration.ofMillis(DEADLINE_MILLIS * 2))).isFalse();
            assertThat(connection.send(GET).readResponse().status()).isEqualTo(200);
        }
    }

    @Test
    void aHeadInPiecesThatCompletesInTimeIsServed() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("GET /api/tasks HTTP/1.1\r\n");
            assertThat(connection.closedByPeerWithin(Duration.ofMillis(DEADLINE_MILLIS / 2))).isFalse();
            RawResponse response = connection.send("Host: sluice\r\n\r\n").readResponse();

            assertThat(response.status()).isEqualTo(200);
            // The deadline was for that head only: the connection outlives it, and a second request is served.
            assertThat(connection.closedByPeerWithin(Duration.ofMillis(DEADLINE_MILLIS))).isFalse();
            assertThat(connection.send(GET).readResponse().status()).isEqualTo(200);
        }
        assertThat(upstream.received()).hasSize(2);
    }

    /** The next byte, or -1 when none came within the socket's timeout; an end of stream is a failure. */
    private static int readOrTimeOut(InputStream in) throws IOException {
        try {
            int b = in.read();
            assertThat(b).as("the connection closed without an answer").isGreaterThanOrEqualTo(0);
            return b;
        } catch (SocketTimeoutException e) {
            return -1;
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                all.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // What came before the reset is the answer.
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }
}
