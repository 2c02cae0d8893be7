package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/** The central server's address is checked like any other: loopback is refused unless allowPrivate admits it. */
class UpstreamAddressE2ETest {

    private static final String RULES = """
            rules:
              - name: central-api
                methods: [GET]
                paths: ["/api/**"]
            """;

    @Test
    void aLoopbackCentralServerIsRefusedWithoutAllowPrivateAndNeverReached() throws Exception {
        try (RecordingUpstream central = RecordingUpstream.start();
             // By name: an IP literal in a refused range is a config error and never starts (RunCommandTest).
             TestSluice sluice = TestSluice.start(withoutAllowPrivate("http://localhost:" + central.port()))) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/models HTTP/1.1\r\nHost: sluice\r\n\r\n");

            String reason = "the central server localhost:" + central.port() + " is not dialled: 127.0.0.1 is a "
                    + "loopback address (127.0.0.0/8), which the policy refuses (see allowPrivate)";
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("X-Sluice-Error")).isEqualTo("upstream_failed");
            assertThat(response.json()).containsEntry("error", "upstream_failed").containsEntry("reason", reason);
            List<Map<String, Object>> records = sluice.awaitAudit(1);
            assertThat(records).hasSize(1);
            assertThat(records.get(0)).containsEntry("decision", "allow").containsEntry("status", 502L)
                    .containsEntry("error", "upstream_address_denied").containsEntry("reason", reason);
            assertThat(central.connectionsAccepted()).isZero();
            assertThat(central.received()).isEmpty();
        }
    }

    @Test
    void theSameCentralServerIsReachedWhenAllowPrivateAdmitsIt() throws Exception {
        try (RecordingUpstream central = RecordingUpstream.start();
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(central.url(), RULES))) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/models HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(central.received()).hasSize(1);
        }
    }

    private static String withoutAllowPrivate(String upstream) {
        String yaml = TestSluice.gatewayYaml(upstream, RULES);
        assertThat(yaml).contains("allowPrivate: [127.0.0.0/8]\n");
        return yaml.replace("allowPrivate: [127.0.0.0/8]\n", "");
    }
}
