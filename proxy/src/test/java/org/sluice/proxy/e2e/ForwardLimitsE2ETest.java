package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingConnector;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestDnsServer;
import org.sluice.proxy.testing.TestSluice;

/**
 * The forward listener's own timeouts and caps (forward.timeouts.*, forward.maxConnections*): the same defences as
 * the gateway's, configured separately, against slow and greedy clients.
 */
class ForwardLimitsE2ETest {

    private static final String RULES = """
            allowPrivate: [127.0.0.0/8]
            rules:
              - name: mirror
                methods: [GET, POST]
                paths: ["/**"]
                hosts: [mirror.test]
            """;

    private TestDnsServer dns;
    private RecordingUpstream mirror;

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start();
        dns.answer("mirror.test", 60, "127.0.0.1");
        mirror = RecordingUpstream.start();
    }

    @AfterEach
    void stop() {
        mirror.close();
        dns.close();
    }

    private TestSluice sluice(String forwardKeys) throws Exception {
        return TestSluice.start(TestSluice.forwardYaml(dns.address(), forwardKeys, RULES), new RecordingConnector());
    }

    @Test
    void aRequestHeadTrickledSlowerThanRequestHeaderIsRefused() throws Exception {
        try (TestSluice sluice = sluice("  timeouts: {requestHeader: 300ms}\n");
             RawHttpConnection slow = RawHttpConnection.open(sluice.forwardPort())) {
            slow.send("GET http://mirror.test:" + mirror.port() + "/x HTTP/1.1\r\nX-Slow: ");
            long start = System.nanoTime();
            RawResponse response = slow.readResponse();

            assertThat(response.status()).isEqualTo(400);
            assertThat((String) response.json().get("reason")).contains("forward.timeouts.requestHeader");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(mirror.connectionsAccepted()).isZero();
        }
    }

    @Test
    void aBodyTrickledBelowMinBodyRateIsCut() throws Exception {
        try (TestSluice sluice = sluice("  timeouts: {minBodyRate: 1MiB}\n");
             RawHttpConnection slow = RawHttpConnection.open(sluice.forwardPort())) {
            slow.send("POST http://mirror.test:" + mirror.port() + "/up HTTP/1.1\r\nHost: mirror.test:"
                    + mirror.port() + "\r\nContent-Length: 100000\r\n\r\nabc");

            assertThat(slow.closedByPeerWithin(Duration.ofSeconds(15))).isTrue();
            assertThat(sluice.awaitAudit(1).get(0)).containsEntry("error", "body_too_slow")
                    .containsEntry("listener", "forward");
            assertThat(mirror.received()).as("the upstream never got a whole request").isEmpty();
        }
    }

    @Test
    void theConnectionOverMaxConnectionsPerClientGets503() throws Exception {
        try (TestSluice sluice = sluice("  maxConnectionsPerClient: 1\n");
             RawHttpConnection first = RawHttpConnection.open(sluice.forwardPort())) {
            String get = "GET http://mirror.test:" + mirror.port() + "/x HTTP/1.1\r\nHost: mirror.test:"
                    + mirror.port() + "\r\n\r\n";
            // Answered first, so the server has counted it before the second connection opens.
            assertThat(first.send(get).readResponse().status()).isEqualTo(200);
            RawResponse refused;
            try (RawHttpConnection second = RawHttpConnection.open(sluice.forwardPort())) {
                refused = second.send(get).readResponse();
            }

            assertThat(refused.status()).isEqualTo(503);
            assertThat((String) refused.json().get("reason")).contains("maxConnectionsPerClient (1)");
            assertThat(mirror.received()).hasSize(1);
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterIdle() throws Exception {
        try (TestSluice sluice = sluice("  timeouts: {idle: 300ms}\n");
             RawHttpConnection client = RawHttpConnection.open(sluice.forwardPort())) {
            assertThat(client.send("GET http://mirror.test:" + mirror.port() + "/x HTTP/1.1\r\nHost: mirror.test:"
                    + mirror.port() + "\r\n\r\n").readResponse().status()).isEqualTo(200);

            assertThat(client.closedByPeerWithin(Duration.ofSeconds(5))).isTrue();
        }
    }
}
