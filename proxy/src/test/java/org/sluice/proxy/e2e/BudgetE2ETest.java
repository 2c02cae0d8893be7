package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/** Egress budgets end to end: over a budget, 429 budget_exceeded, audited, and nothing reaches the upstream. */
class BudgetE2ETest {

    private static final String RULES = """
            rules:
              - name: api
                methods: [GET, POST]
                paths: ["/api/**"]
            """;

    private static RawResponse post(TestSluice sluice, String body) throws Exception {
        return RawHttpConnection.exchange(sluice.gatewayPort(), "POST /api/results HTTP/1.1\r\nHost: s\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body);
    }

    @Test
    void aClientOverItsRequestBudgetGets429WithRetryAfterAndTheUpstreamNothing() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                     budgets:
                       window: 1h
                       perClient: {requests: 2}
                     """ + RULES))) {
            assertThat(post(sluice, "one").status()).isEqualTo(200);
            assertThat(post(sluice, "two").status()).isEqualTo(200);
            RawResponse third = post(sluice, "three");

            assertThat(third.status()).isEqualTo(429);
            assertThat(third.header("X-Sluice-Error")).isEqualTo("budget_exceeded");
            assertThat(Long.parseLong(third.header("Retry-After"))).isBetween(1L, 3600L);
            assertThat((String) third.json().get("reason")).contains("budgets.perClient.requests");
            assertThat(upstream.received()).extracting(r -> new String(r.body())).containsExactly("one", "two");
            List<Map<String, Object>> records = sluice.awaitAudit(3);
            assertThat(records.get(2)).containsEntry("status", 429L).containsEntry("error", "budget_exceeded")
                    .containsEntry("upstream", null);
        }
    }

    @Test
    void theJobsTotalBytesBoundWhatLeavesWithoutRetryAfter() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                     budgets:
                       perJob: {totalRequestBytes: 25}
                     """ + RULES))) {
            assertThat(post(sluice, "0123456789").status()).isEqualTo(200);
            assertThat(post(sluice, "0123456789").status()).isEqualTo(200);
            RawResponse over = RawHttpConnection.exchange(sluice.gatewayPort(), "POST /api/results HTTP/1.1\r\n"
                    + "Host: s\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n");

            assertThat(over.status()).isEqualTo(429);
            assertThat(over.header("Retry-After")).as("waiting would not help").isNull();
            assertThat((String) over.json().get("reason")).contains("totalRequestBytes");
            assertThat(upstream.received()).hasSize(2);
            assertThat(post(sluice, "12345").status()).as("what is left of the total may still be used")
                    .isEqualTo(200);
        }
    }
}
