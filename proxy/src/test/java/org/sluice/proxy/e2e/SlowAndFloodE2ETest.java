package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.TestSluice;

/**
 * Slow and greedy clients do not take Sluice down for the others: a client that never reads its response is cut
 * when the response stalls for gateway.timeouts.response; a flood of connections from one address is capped per
 * client while another address is served; a crowd of slowloris heads is closed at the head deadline. Every
 * offender comes from 127.0.0.2 (a loopback address of its own), the well-behaved client from 127.0.0.1.
 */
class SlowAndFloodE2ETest {
    private static final int BIG = 32 << 20;
    private static final String GOOD = "GET /api/small HTTP/1.1\r\nHost: s\r\n\r\n";

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200).withBody("small"));

    private TestSluice sluice;
    private final List<Socket> offenders = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        central.stubFor(get(urlPathEqualTo("/api/big")).willReturn(aResponse().withStatus(200).withBody(new byte[BIG])));
        sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), """
                rules:
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """).replace("  upstream: " + CentralServer.httpUrl(central) + "\n", "  upstream: "
                + CentralServer.httpUrl(central) + "\n  maxConnectionsPerClient: 50\n"
                + "  timeouts: {response: 2s, requestHeader: 1s}\n"));
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : offenders) {
            socket.close();
        }
        sluice.close();
    }

    private Socket offender() throws IOException {
        Socket socket = new Socket();
        offenders.add(socket);
        socket.setReceiveBufferSize(4096);
        socket.bind(new InetSocketAddress("127.0.0.2", 0));
        socket.connect(new InetSocketAddress("127.0.0.1", sluice.gatewayPort()), 5000);
        return socket;
    }

    private int good() throws IOException {
        return RawHttpConnection.exchange(sluice.gatewayPort(), GOOD).status();
    }

    /** Reads until the peer closes; the bytes read, or -1 when it did not close within the time. */
    private static long drainUntilClosed(Socket socket, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        socket.setSoTimeout(500);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        while (System.nanoTime() < deadline) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return total;
                }
                total += n;
            } catch (SocketTimeoutException e) {
                // still open, nothing to read
            } catch (SocketException e) {
                return total; // reset
            }
        }
        return -1;
    }

    @Test
    void aClientThatStopsReadingIsCutWhenTheResponseStallsWhileOthersAreServed() throws Exception {
        Socket reader = offender();
        reader.getOutputStream().write("GET /api/big HTTP/1.1\r\nHost: s\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        reader.setSoTimeout(10_000);
        // The central server may take a moment to start 32 MiB; once the status line is here, the client stops reading.
        assertThat(new String(reader.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                .isEqualTo("HTTP/1.1 200");

        assertThat(good()).as("served while the slow reader holds its connection").isEqualTo(200);
        // Once every buffer on the way is full the relay stalls, and after gateway.timeouts.response of stall the
        // exchange is cut, recorded and the connection closed.
        Map<String, Object> record = Await.until(() -> sluice.audit().stream()
                        .filter(r -> "/api/big".equals(r.get("path"))).findFirst().orElse(null),
                r -> r != null, Duration.ofSeconds(15), "the slow reader's exchange is cut");
        assertThat(record).containsEntry("error", "upstream_timeout").containsEntry("status", 200L);
        assertThat((Long) record.get("respBytes")).isLessThan(BIG);
        assertThat(drainUntilClosed(reader, Duration.ofSeconds(20))).as("closed, and cut short of the body")
                .isBetween(0L, (long) BIG);
        assertThat(good()).isEqualTo(200);
    }

    @Test
    void aFloodOfConnectionsFromOneAddressIsCappedAndAnotherAddressIsServed() throws Exception {
        for (int i = 0; i < 300; i++) {
            offender();
        }
        assertThat(good()).isEqualTo(200);

        Socket over = offenders.get(offenders.size() - 1);
        over.getOutputStream().write(GOOD.getBytes(StandardCharsets.US_ASCII));
        over.setSoTimeout(5000);
        String answer = new String(over.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        assertThat(answer).as("the 300th connection from 127.0.0.2 is over maxConnectionsPerClient").isEqualTo(
                "HTTP/1.1 503");
    }

    @Test
    void aCrowdOfSlowlorisHeadsIsClosedAtTheDeadlineWhileOthersAreServed() throws Exception {
        for (int i = 0; i < 40; i++) {
            offender().getOutputStream().write("GET /api/small HTTP/1.1\r\nX-Slow: "
                    .getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(good()).isEqualTo(200);

        for (Socket slow : offenders) {
            assertThat(drainUntilClosed(slow, Duration.ofSeconds(10))).as("closed after its 400").isGreaterThan(0);
        }
        assertThat(good()).isEqualTo(200);
    }
}
