package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.HttpBytes;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestSluice;

/** One audit line per request with the facts that happened, and metric counters that agree with the log. */
class AuditAndMetricsE2ETest {

    private static final String RESPONSE = "answer from central";
    private static final int LIMIT = 1000;
    private static final String RULES = """
            limits:
              maxRequestBodyBytes: %d
            rules:
              - name: central-api
                methods: [GET, POST]
                paths: ["/api/**"]
            """.formatted(LIMIT);

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200).withBody(RESPONSE));

    @BeforeEach
    void stubMissing() {
        central.stubFor(any(urlPathEqualTo("/api/missing")).willReturn(aResponse().withStatus(404).withBody("no")));
    }

    /** What the client sent and what the audit line must say about it. */
    private record Sent(String requestId, String method, String path, String decision, int status, String rule,
                        byte[] forwardedBody, long respBytes, String error) {}

    @Test
    void everyRequestHasExactlyOneAuditLineWithItsFacts() throws Exception {
        try (TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), RULES))) {
            List<Sent> sent = sendMixedBatch(sluice);

            List<Map<String, Object>> records = sluice.awaitAudit(sent.size());
            assertThat(records).hasSize(sent.size());
            Map<Object, Map<String, Object>> byId = records.stream()
                    .collect(Collectors.toMap(r -> r.get("id"), Function.identity()));
            assertThat(byId).hasSize(sent.size());
            for (Sent s : sent) {
                Map<String, Object> record = byId.get(s.requestId());
                assertThat(record).as("audit line for %s %s", s.method(), s.path()).isNotNull();
                assertThat(record)
                        .containsEntry("listener", "gateway")
                        .containsEntry("method", s.method())
                        .containsEntry("path", s.path())
                        .containsEntry("decision", s.decision())
                        .containsEntry("status", (long) s.status())
                        .containsEntry("rule", s.rule())
                        .containsEntry("reqBytes", s.forwardedBody() == null ? 0L : (long) s.forwardedBody().length)
                        .containsEntry("respBytes", s.respBytes())
                        .containsEntry("reqSha256", s.forwardedBody() == null ? null : sha256(s.forwardedBody()))
                        .containsEntry("error", s.error())
                        .containsEntry("scheme", "http")
                        .containsEntry("host", "127.0.0.1")
                        .containsEntry("port", (long) central.getPort());
                assertThat((String) record.get("ts")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
                assertThat((String) record.get("client")).startsWith("127.0.0.1");
                assertThat((String) record.get("policy")).matches("[0-9a-f]{64}");
                assertThat((Long) record.get("durationMs")).isGreaterThanOrEqualTo(0L);
                if (s.forwardedBody() != null) {
                    assertThat(record.get("upstream")).isEqualTo("127.0.0.1:" + central.getPort());
                } else {
                    assertThat(record.get("upstream")).isNull();
                    assertThat((String) record.get("reason")).isNotBlank();
                }
            }
            assertThat(CentralServer.received(central)).hasSize((int) sent.stream().filter(s -> s.forwardedBody() != null).count());

            String text = sluice.auditText();
            assertThat(text).doesNotContain("SECRET-QUERY").doesNotContain("token=")
                    .doesNotContain("SECRET-AUTH").doesNotContain("Bearer");
            assertThat(text.lines().count()).isEqualTo(sent.size());
        }
    }

    /**
     * Issue 16 items 10 and 11: the upstream histogram counts only requests that went upstream, the bytes-sent
     * counter is the audit's reqBytesSent summed, connections carry their listener, and the build is named.
     */
    @Test
    void upstreamLatencyAndBytesSentCountOnlyWhatWentUpstream() throws Exception {
        try (TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), RULES))) {
            List<Sent> sent = sendMixedBatch(sluice);
            List<Map<String, Object>> records = sluice.awaitAudit(sent.size());
            String text = scrape(sluice);

            long forwarded = records.stream().filter(r -> r.get("upstream") != null).count();
            long bytesSent = records.stream().mapToLong(r -> (Long) r.get("reqBytesSent")).sum();
            assertThat(forwarded).isPositive().isLessThan(records.size());
            assertThat(metric(text, "sluice_upstream_duration_seconds_count{listener=\"gateway\"}"))
                    .isEqualTo(forwarded);
            assertThat(metric(text, "sluice_request_duration_seconds_count{listener=\"gateway\"}"))
                    .isEqualTo(records.size());
            assertThat(metric(text, "sluice_upstream_request_bytes_total{listener=\"gateway\"}"))
                    .isEqualTo(bytesSent);
            // A forwarded request sends its head (request line, Host, Via, X-Sluice-Request-Id: over 80 bytes) and body.
            assertThat(records).allSatisfy(r -> assertThat((Long) r.get("reqBytesSent")).isEqualTo(
                    r.get("upstream") == null ? 0L : (Long) r.get("reqBytesSent"))
                    .isGreaterThan(r.get("upstream") == null ? -1L : (Long) r.get("reqBytes") + 80));
            assertThat(text).containsPattern("(?m)^sluice_connections_active\\{listener=\"gateway\"} \\S+$")
                    .containsPattern("(?m)^sluice_build_info\\{version=\"[^\"]+\"} 1(\\.0)?$");
        }
    }

    private static long metric(String exposition, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(exposition);
        assertThat(m.find()).as("%s in%n%s", nameAndLabels, exposition).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void requestCountersAgreeWithTheAuditLog() throws Exception {
        try (TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), RULES))) {
            List<Sent> sent = sendMixedBatch(sluice);
            List<Map<String, Object>> records = sluice.awaitAudit(sent.size());

            Map<String, Long> fromAudit = records.stream().collect(Collectors.groupingBy(
                    r -> r.get("decision") + "/" + r.get("status"), Collectors.counting()));
            Map<String, Long> fromMetrics = requestCounters(scrape(sluice));

            assertThat(fromMetrics).isEqualTo(fromAudit);
            assertThat(fromAudit.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(sent.size());
        }
    }

    @Test
    void reportModeLetsAWouldDenyRequestThroughAndRecordsIt() throws Exception {
        String yaml = TestSluice.gatewayYaml(CentralServer.httpUrl(central), "mode: report\n" + RULES);
        try (TestSluice sluice = TestSluice.start(yaml)) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /admin/users HTTP/1.1\r\nHost: sluice\r\n\r\n");
            RawResponse allowed = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/tasks HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo(RESPONSE);
            assertThat(response.header("X-Sluice-Error")).isNull();
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(CentralServer.received(central)).extracting(r -> r.getUrl())
                    .containsExactly("/admin/users", "/api/tasks");
            List<Map<String, Object>> records = sluice.awaitAudit(2);
            Map<String, Object> reported = records.stream()
                    .filter(r -> response.header("X-Sluice-Request-Id").equals(r.get("id"))).findFirst().orElseThrow();
            assertThat(reported).containsEntry("decision", "report").containsEntry("status", 200L)
                    .containsEntry("path", "/admin/users").containsEntry("rule", null);
            assertThat(records).filteredOn(r -> "allow".equals(r.get("decision"))).hasSize(1);
            assertThat(requestCounters(scrape(sluice))).containsEntry("report/200", 1L).containsEntry("allow/200", 1L);
        }
    }

    @Test
    void reportModeStillEnforcesLimits() throws Exception {
        String yaml = TestSluice.gatewayYaml(CentralServer.httpUrl(central), "mode: report\n" + RULES);
        try (TestSluice sluice = TestSluice.start(yaml)) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(), HttpBytes.request(
                    "POST /admin/dump HTTP/1.1\r\nHost: sluice\r\nContent-Length: " + (LIMIT + 1) + "\r\n\r\n",
                    new byte[LIMIT + 1]));

            assertThat(response.status()).isEqualTo(413);
            assertThat(central.getAllServeEvents()).isEmpty();
        }
    }

    private List<Sent> sendMixedBatch(TestSluice sluice) throws Exception {
        int port = sluice.gatewayPort();
        long respLength = RESPONSE.length();
        List<Sent> sent = new ArrayList<>();

        RawResponse r = RawHttpConnection.exchange(port, "GET /api/tasks?token=SECRET-QUERY&x=1 HTTP/1.1\r\nHost: s\r\n"
                + "Authorization: Bearer SECRET-AUTH\r\n\r\n");
        sent.add(new Sent(id(r, 200), "GET", "/api/tasks", "allow", 200, "central-api", new byte[0], respLength, null));

        byte[] small = HttpBytes.randomBytes(777, 31);
        r = RawHttpConnection.exchange(port, HttpBytes.request("POST /api/./results HTTP/1.1\r\nHost: s\r\n"
                + "Content-Length: 777\r\n\r\n", small));
        sent.add(new Sent(id(r, 200), "POST", "/api/results", "allow", 200, "central-api", small, respLength, null));

        byte[] chunked = HttpBytes.randomBytes(LIMIT, 32);
        r = RawHttpConnection.exchange(port, HttpBytes.request("POST /api/chunks HTTP/1.1\r\nHost: s\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", HttpBytes.chunked(chunked, 100)));
        sent.add(new Sent(id(r, 200), "POST", "/api/chunks", "allow", 200, "central-api", chunked, respLength, null));

        r = RawHttpConnection.exchange(port, "GET /api/missing HTTP/1.1\r\nHost: s\r\n\r\n");
        sent.add(new Sent(id(r, 404), "GET", "/api/missing", "allow", 404, "central-api", new byte[0], 2, null));

        r = RawHttpConnection.exchange(port, "GET /admin/users?token=SECRET-QUERY HTTP/1.1\r\nHost: s\r\n"
                + "Authorization: Bearer SECRET-AUTH\r\n\r\n");
        sent.add(new Sent(id(r, 403), "GET", "/admin/users", "deny", 403, null, null, 0, "denied"));

        r = RawHttpConnection.exchange(port, HttpBytes.request("POST /api/big HTTP/1.1\r\nHost: s\r\n"
                + "Content-Length: " + (LIMIT + 1) + "\r\n\r\n", new byte[LIMIT + 1]));
        sent.add(new Sent(id(r, 413), "POST", "/api/big", "allow", 413, "central-api", null, 0, "body_too_large"));

        r = RawHttpConnection.exchange(port, HttpBytes.request("POST /api/big-chunks HTTP/1.1\r\nHost: s\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", HttpBytes.chunked(new byte[LIMIT + 1], 100)));
        sent.add(new Sent(id(r, 413), "POST", "/api/big-chunks", "allow", 413, "central-api", null, 0, "body_too_large"));

        r = RawHttpConnection.exchange(port, "GET /api/../admin HTTP/1.1\r\nHost: s\r\n\r\n");
        sent.add(new Sent(id(r, 403), "GET", "/admin", "deny", 403, null, null, 0, "denied"));
        return sent;
    }

    private static String id(RawResponse response, int expectedStatus) {
        assertThat(response.status()).as(response.toString()).isEqualTo(expectedStatus);
        String id = response.header("X-Sluice-Request-Id");
        assertThat(id).isNotBlank();
        return id;
    }

    private static String scrape(TestSluice sluice) throws Exception {
        RawResponse metrics = RawHttpConnection.exchange(sluice.adminPort(), "GET /metrics HTTP/1.1\r\nHost: admin\r\n\r\n");
        assertThat(metrics.status()).isEqualTo(200);
        return new String(metrics.body(), StandardCharsets.UTF_8);
    }

    private static final Pattern REQUESTS = Pattern.compile("^sluice_requests_total\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** sluice_requests_total of the gateway listener as "decision/code" -> count. */
    private static Map<String, Long> requestCounters(String exposition) {
        Map<String, Long> counters = new HashMap<>();
        Matcher line = REQUESTS.matcher(exposition);
        while (line.find()) {
            Map<String, String> labels = new HashMap<>();
            Matcher label = LABEL.matcher(line.group(1));
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
            if ("gateway".equals(labels.get("listener"))) {
                counters.merge(labels.get("decision") + "/" + labels.get("code"),
                        (long) Double.parseDouble(line.group(2)), Long::sum);
            }
        }
        assertThat(counters).as("sluice_requests_total in:\n%s", exposition).isNotEmpty();
        return counters;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
