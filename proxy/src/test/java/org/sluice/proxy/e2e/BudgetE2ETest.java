package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sluice.proxy.testing.RawRecordingUpstream;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;
import org.sluice.proxy.testing.UpstreamStream;

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
                       perJob: {totalRequestBytes: 500}
                     """ + RULES))) {
            // Each POST's head as forwarded is about 140 bytes: two of them leave about 200 of the 500.
            assertThat(post(sluice, "0123456789").status()).isEqualTo(200);
            assertThat(post(sluice, "0123456789").status()).isEqualTo(200);
            RawResponse over = RawHttpConnection.exchange(sluice.gatewayPort(), "POST /api/results HTTP/1.1\r\n"
                    + "Host: s\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + "x".repeat(100) + "\r\n0\r\n\r\n");

            assertThat(over.status()).isEqualTo(429);
            assertThat(over.header("Retry-After")).as("waiting would not help").isNull();
            assertThat((String) over.json().get("reason")).contains("totalRequestBytes");
            assertThat(upstream.received()).hasSize(2);
            assertThat(post(sluice, "12345").status()).as("what is left of the total may still be used")
                    .isEqualTo(200);
        }
    }

    /**
     * Issue 16 item 11: a byte budget bounds what leaves in request lines and headers too, not only in bodies. Ten
     * bodyless GETs, each carrying 300 bytes of data in the named place, against a 1 KiB budget: the GET that would
     * cross it gets 429 and the upstream sees nothing of it; everything the upstream received fits the budget and
     * is exactly what the audit records say was sent.
     */
    @ParameterizedTest(name = "data in the {0}")
    @ValueSource(strings = {"path", "query", "header"})
    void aByteBudgetCountsTheRequestLineAndHeadersNotOnlyTheBody(String where) throws Exception {
        try (RawRecordingUpstream upstream = RawRecordingUpstream.start();
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                     budgets:
                       perJob: {requestBytes: 1KiB}
                     rules:
                       - name: api
                         methods: [GET]
                         paths: ["/api/**"]
                         headers: [X-Data]
                     """))) {
            String data = "d".repeat(300);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String target = switch (where) {
                    case "path" -> "/api/" + data + i;
                    case "query" -> "/api/items?q=" + data + i;
                    default -> "/api/items";
                };
                String header = where.equals("header") ? "X-Data: " + data + i + "\r\n" : "";
                statuses.add(RawHttpConnection.exchange(sluice.gatewayPort(), "GET " + target + " HTTP/1.1\r\n"
                        + "Host: s\r\n" + header + "Connection: close\r\n\r\n").status());
            }

            long allowed = statuses.stream().filter(s -> s == 200).count();
            assertThat(allowed).as("the first GET fits the budget").isGreaterThanOrEqualTo(1);
            assertThat(statuses.subList((int) allowed, statuses.size())).as("every GET past the budget")
                    .containsOnly(429);
            long received = upstream.streams().stream().mapToLong(s -> s.length).sum();
            assertThat(received).as("bytes the upstream received").isLessThanOrEqualTo(1024);
            assertThat(upstream.streams().stream().mapToInt(s -> UpstreamStream.parse(s).size()).sum())
                    .as("requests the upstream saw").isEqualTo((int) allowed);
            List<Map<String, Object>> records = sluice.awaitAudit(10);
            long audited = records.stream().mapToLong(r -> ((Number) r.get("reqBytesSent")).longValue()).sum();
            assertThat(audited).as("reqBytesSent: every byte the upstream received, and only those")
                    .isEqualTo(received);
            // Records are appended as requests finish, not as they were sent: pick the refusals by status.
            assertThat(records.stream().filter(r -> Long.valueOf(429).equals(r.get("status"))).toList())
                    .hasSize(10 - (int) allowed).allSatisfy(r -> assertThat(r)
                            .containsEntry("error", "budget_exceeded").containsEntry("reqBytesSent", 0L));
        }
    }
}
