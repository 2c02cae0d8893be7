package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
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
 * DNS rebinding: a name the policy allows first resolves to an address allowPrivate admits (127.0.0.2), then,
 * with TTL 0, to one it does not (127.0.0.1). Sluice checks every answer it gets and dials only the address it
 * checked, so the rebound request is refused and nothing ever connects to 127.0.0.1, where a second server waits
 * on the same port to notice.
 */
class DnsRebindingE2ETest {

    private TestDnsServer dns;
    private RecordingUpstream allowed;
    private RecordingUpstream refused;
    private RecordingConnector dials;
    private int port;

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start();
        // Closes after each answer: a kept-alive connection (already checked) would serve the second request
        // without a new look-up, and this test is about the look-up.
        allowed = RecordingUpstream.start("127.0.0.2", 0, false);
        port = allowed.port();
        refused = RecordingUpstream.start("127.0.0.1", port);
        dials = new RecordingConnector();
    }

    @AfterEach
    void stop() {
        refused.close();
        allowed.close();
        dns.close();
    }

    private TestSluice sluice() throws Exception {
        return TestSluice.start(TestSluice.forwardYaml(dns.address(), """
                allowPrivate: [127.0.0.2/32]
                rules:
                  - name: flip
                    methods: [GET]
                    paths: ["/**"]
                    hosts: [flip.test]
                """), dials);
    }

    private RawResponse get(TestSluice sluice) throws Exception {
        return RawHttpConnection.exchange(sluice.forwardPort(), "GET http://flip.test:" + port + "/data HTTP/1.1\r\n"
                + "Host: flip.test:" + port + "\r\n\r\n");
    }

    @Test
    void aNameReboundToARefusedAddressIsRefusedAndThatAddressNeverDialled() throws Exception {
        try (TestSluice sluice = sluice()) {
            dns.answer("flip.test", 0, "127.0.0.2");
            assertThat(get(sluice).status()).as("first answer: 127.0.0.2, admitted").isEqualTo(200);
            assertThat(allowed.received()).hasSize(1);

            dns.answer("flip.test", 0, "127.0.0.1");
            RawResponse rebound = get(sluice);

            assertThat(rebound.status()).isEqualTo(403);
            assertThat(rebound.header("X-Sluice-Error")).isEqualTo("denied");
            assertThat((String) rebound.json().get("reason")).isEqualTo("flip.test:" + port + " is not dialled: "
                    + "127.0.0.1 is a loopback address (127.0.0.0/8), which the policy refuses (see allowPrivate)");
            assertThat(dns.queries("flip.test")).as("TTL 0: asked again, not served from a cache")
                    .isGreaterThanOrEqualTo(2);
            assertThat(refused.connectionsAccepted()).as("nothing connected to 127.0.0.1").isZero();
            assertThat(dials.attempts()).containsExactly(new InetSocketAddress("127.0.0.2", port));
            List<Map<String, Object>> records = sluice.awaitAudit(2);
            assertThat(records.get(0)).containsEntry("upstream", "127.0.0.2:" + port).containsEntry("status", 200L);
            assertThat(records.get(1)).containsEntry("decision", "deny").containsEntry("status", 403L)
                    .containsEntry("error", "upstream_address_denied").containsEntry("upstream", null);
        }
    }

    @Test
    void anAnswerMixingAnAdmittedAndARefusedAddressIsRefusedWhole() throws Exception {
        try (TestSluice sluice = sluice()) {
            dns.answer("flip.test", 60, "127.0.0.2", "127.0.0.1");

            assertThat(get(sluice).status()).isEqualTo(403);
            assertThat(allowed.connectionsAccepted()).isZero();
            assertThat(refused.connectionsAccepted()).isZero();
            assertThat(dials.attempts()).isEmpty();
        }
    }
}
