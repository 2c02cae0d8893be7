package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/** The rule language through a real gateway: query allowlist, hosts and ports of the upstream, per-rule report. */
class RuleLanguageE2ETest {

    private static RecordingUpstream upstream;
    private static TestSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        upstream = RecordingUpstream.start();
        sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                allowNetworkAccess: false
                rules:
                  - name: tasks
                    methods: [GET]
                    paths: ["/api/tasks/**"]
                    query: [limit]
                  - name: other-port
                    methods: [GET]
                    paths: ["/api/elsewhere"]
                    hosts: [127.0.0.1]
                    ports: [1]
                  - name: this-upstream
                    methods: [GET]
                    paths: ["/api/here"]
                    hosts: [127.0.0.1]
                    schemes: [http]
                  - name: legacy
                    methods: [POST]
                    paths: ["/legacy/**"]
                    mode: report
                """));
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private int before;

    @BeforeEach
    void mark() {
        before = upstream.received().size();
    }

    /** URIs the upstream received since this test began. */
    private List<String> receivedUris() {
        List<RecordingUpstream.Received> all = upstream.received();
        return all.subList(before, all.size()).stream().map(RecordingUpstream.Received::uri).toList();
    }

    private static RawResponse get(String target) throws Exception {
        return RawHttpConnection.exchange(sluice.gatewayPort(),
                "GET " + target + " HTTP/1.1\r\nHost: sluice\r\n\r\n");
    }

    @Test
    void aQueryParameterTheRuleDoesNotListIsDeniedAndNothingLeaves() throws Exception {
        RawResponse refused = get("/api/tasks/7?limit=10&rows=c2VjcmV0");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("X-Sluice-Error")).isEqualTo("denied");
        assertThat(receivedUris()).isEmpty();

        RawResponse allowed = get("/api/tasks/7?limit=10");
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(receivedUris()).containsExactly("/api/tasks/7?limit=10");
    }

    @Test
    void hostsPortsAndSchemesAreThoseOfTheUpstream() throws Exception {
        assertThat(get("/api/elsewhere").status()).isEqualTo(403);
        assertThat(get("/api/here").status()).isEqualTo(200);
        assertThat(receivedUris()).containsExactly("/api/here");
    }

    @Test
    void aRuleInReportModeForwardsAndTheAuditSaysReport() throws Exception {
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                "POST /legacy/upload HTTP/1.1\r\nHost: sluice\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(response.status()).isEqualTo(200);
        assertThat(receivedUris()).containsExactly("/legacy/upload");
        String id = response.header("X-Sluice-Request-Id");
        List<Map<String, Object>> records = Await.until(sluice::audit,
                all -> all.stream().anyMatch(r -> id.equals(r.get("id"))), Duration.ofSeconds(10), "its audit record");
        Map<String, Object> record = records.stream().filter(r -> id.equals(r.get("id"))).findFirst().orElseThrow();
        assertThat(record).containsEntry("decision", "report").containsEntry("rule", "legacy");
    }
}
