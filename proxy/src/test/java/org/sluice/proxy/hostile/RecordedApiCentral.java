package org.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawRecordingUpstream;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestDnsServer;
import org.sluice.proxy.testing.TestSluice;

/**
 * A central server that records every byte it receives, reachable as {@code central.test} through a test DNS
 * server, and a Sluice in front of it that allows GET and POST under {@code /api/**}: for tests that send a bad
 * request and assert the upstream saw nothing. Registered per test with {@code @RegisterExtension}.
 */
final class RecordedApiCentral implements BeforeEachCallback, AfterEachCallback {
    static final String RULES = """
            rules:
              - name: api
                methods: [GET, POST]
                paths: ["/api/**"]
            """;

    private RawRecordingUpstream upstream;
    private TestDnsServer dns;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        upstream = RawRecordingUpstream.start();
        dns = TestDnsServer.start();
        dns.answer("central.test", 60, "127.0.0.1");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        dns.close();
        upstream.close();
    }

    /** A Sluice gateway to the central server. */
    TestSluice gateway() throws Exception {
        return TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES));
    }

    /** A Sluice forward proxy that resolves {@code central.test} to the central server. */
    TestSluice forward() throws Exception {
        return TestSluice.start(TestSluice.forwardYaml(dns.address(), "allowPrivate: [127.0.0.0/8]\n" + RULES));
    }

    /** The central server's port. */
    String port() {
        return upstream.url().substring(upstream.url().lastIndexOf(':') + 1);
    }

    /** {@code central.test:port}, the central server as a forward-proxy client names it. */
    String authority() {
        return "central.test:" + port();
    }

    /** The bytes of each connection the central server accepted, in order. */
    List<byte[]> streams() {
        return upstream.streams();
    }

    /** {@code refused} is Sluice's 400 with {@code Connection: close}, and Sluice then closes {@code client}. */
    static void assertBadRequestThenClosed(RawHttpConnection client, RawResponse refused) throws IOException {
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.header("X-Sluice-Error")).isEqualTo("bad_request");
        assertThat(refused.header("Connection")).isEqualToIgnoringCase("close");
        assertThat(client.closedByPeerWithin(Duration.ofSeconds(5))).as("closed after the 400").isTrue();
    }
}
