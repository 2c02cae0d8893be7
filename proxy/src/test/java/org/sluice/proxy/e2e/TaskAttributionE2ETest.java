package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.audit.read.AuditVerifier;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/**
 * Several vantage6 tasks through one gateway: each request is attributed to the task its container token claims
 * (unverified), in the audit record and in per-task budgets; a token that does not parse changes nothing else.
 */
class TaskAttributionE2ETest {

    private static final String RULES = """
            rules:
              - name: api
                methods: [GET, POST]
                paths: ["/api/**"]
            """;
    private static final String SIG = "bm90LWNoZWNrZWQtYnktc2x1aWNl";
    private static final String TASK_42 = token(42, "harbor2.vantage6.ai/demo/average");
    private static final String TASK_43 = token(43, "harbor2.vantage6.ai/demo/glm");

    /** A container token as a vantage6 node gets it for a task: sub is the container's identity. */
    private static String token(long task, String image) {
        return b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64("{\"fresh\":false,\"type\":\"access\",\"sub\":"
                + "{\"client_type\":\"container\",\"node_id\":3,\"organization_id\":2,\"collaboration_id\":1,"
                + "\"task_id\":" + task + ",\"image\":\"" + image + "\",\"databases\":[{\"label\":\"default\"}]}}")
                + "." + SIG;
    }

    /** The forwarded bodies by their SHA-256 (the audit's reqSha256). */
    private static final Map<String, String> BODIES = Stream.of("a1", "b1", "a2", "a3", "a4", "c1", "c2", "c3")
            .collect(Collectors.toUnmodifiableMap(TaskAttributionE2ETest::sha256, body -> body));

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String post(String path, String token, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: s\r\n" + (token == null ? "" : "Authorization: Bearer " + token
                + "\r\n") + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static RawResponse send(TestSluice sluice, String token, String body) throws Exception {
        return RawHttpConnection.exchange(sluice.gatewayPort(), post("/api/results", token, body));
    }

    private static Map<String, Object> task(String id, String image) {
        return Map.of("id", id, "image", image, "node", "3", "organization", "2", "collaboration", "1",
                "verified", false);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> taskOf(Map<String, Object> record) {
        return (Map<String, Object>) record.get("task");
    }

    @Test
    void twoTasksOnTheirOwnConnectionsAreEachAttributedAndABrokenTokenIsAuditedWithNoTask() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES))) {
            try (RawHttpConnection a = RawHttpConnection.open(sluice.gatewayPort());
                 RawHttpConnection b = RawHttpConnection.open(sluice.gatewayPort())) {
                // Interleaved keep-alive requests: each connection's cached token must stay its own.
                assertThat(a.send(post("/api/results", TASK_42, "a1")).readResponse().status()).isEqualTo(200);
                assertThat(b.send(post("/api/results", TASK_43, "b1")).readResponse().status()).isEqualTo(200);
                assertThat(a.send(post("/api/results", TASK_42, "a2")).readResponse().status()).isEqualTo(200);
                assertThat(b.send(post("/internal/x", TASK_43, "b2")).readResponse().status()).isEqualTo(403);
                // The same connection switching tokens is attributed to the new one.
                assertThat(a.send(post("/api/results", TASK_43, "a3")).readResponse().status()).isEqualTo(200);
                // And a request without a token after one with it has no task.
                assertThat(a.send(post("/api/results", null, "a4")).readResponse().status()).isEqualTo(200);
            }
            String broken = TASK_42.substring(0, TASK_42.lastIndexOf('.')); // two parts only
            assertThat(send(sluice, broken, "c1").status()).isEqualTo(200);
            assertThat(send(sluice, "not.a.token", "c2").status()).isEqualTo(200);
            assertThat(send(sluice, null, "c3").status()).isEqualTo(200);

            // Two connections finish in either order: find each record by the body it forwarded.
            Map<String, Map<String, Object>> byBody = new HashMap<>();
            for (Map<String, Object> record : sluice.awaitAudit(9)) {
                String sha = (String) record.get("reqSha256");
                byBody.put(sha == null ? "b2" : BODIES.get(sha), record);
            }
            assertThat(byBody).containsOnlyKeys("a1", "b1", "a2", "b2", "a3", "a4", "c1", "c2", "c3");
            assertThat(taskOf(byBody.get("a1"))).isEqualTo(task("42", "harbor2.vantage6.ai/demo/average"));
            assertThat(taskOf(byBody.get("a2"))).isEqualTo(task("42", "harbor2.vantage6.ai/demo/average"));
            assertThat(taskOf(byBody.get("b1"))).isEqualTo(task("43", "harbor2.vantage6.ai/demo/glm"));
            assertThat(byBody.get("b2")).containsEntry("decision", "deny").containsEntry("status", 403L);
            assertThat(taskOf(byBody.get("b2"))).as("a denied request is attributed too")
                    .isEqualTo(task("43", "harbor2.vantage6.ai/demo/glm"));
            assertThat(taskOf(byBody.get("a3"))).isEqualTo(task("43", "harbor2.vantage6.ai/demo/glm"));
            for (String body : List.of("a4", "c1", "c2", "c3")) {
                assertThat(byBody.get(body)).as(body).containsEntry("task", null).containsEntry("decision", "allow")
                        .containsEntry("status", 200L).containsEntry("client", "127.0.0.1");
            }
            assertThat(sluice.auditText()).as("the token itself is never written").doesNotContain(SIG)
                    .doesNotContain(TASK_42.substring(0, TASK_42.indexOf('.')));
            assertThat(AuditVerifier.withoutKey().verify(List.of(sluice.auditFile())).intact())
                    .as("audit verify passes on lines with task objects").isTrue();
        }
    }

    @Test
    void aTaskOverItsBudgetGets429WhileAnotherTaskAndRequestsWithoutATaskStillPass() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                     budgets:
                       perTask: {requests: 2}
                     """ + RULES))) {
            assertThat(send(sluice, TASK_42, "42-one").status()).isEqualTo(200);
            assertThat(send(sluice, TASK_43, "43-one").status()).isEqualTo(200);
            assertThat(send(sluice, TASK_43, "43-two").status()).isEqualTo(200);
            RawResponse over = send(sluice, TASK_43, "43-three");
            assertThat(send(sluice, TASK_42, "42-two").status()).as("the other task has its own budget")
                    .isEqualTo(200);
            for (int i = 0; i < 3; i++) {
                assertThat(send(sluice, null, "none-" + i).status()).as("no task: not charged per task")
                        .isEqualTo(200);
            }

            assertThat(over.status()).isEqualTo(429);
            assertThat(over.header("X-Sluice-Error")).isEqualTo("budget_exceeded");
            assertThat(Long.parseLong(over.header("Retry-After"))).isBetween(1L, 3600L);
            assertThat((String) over.json().get("reason")).contains("budgets.perTask.requests");
            assertThat(upstream.received()).extracting(r -> new String(r.body(), StandardCharsets.UTF_8))
                    .containsExactly("42-one", "43-one", "43-two", "42-two", "none-0", "none-1", "none-2");
            // Records are appended as requests finish, on different event loops: find the refusal by its status.
            List<Map<String, Object>> refusals = sluice.awaitAudit(8).stream()
                    .filter(record -> Long.valueOf(429).equals(record.get("status"))).toList();
            assertThat(refusals).hasSize(1);
            Map<String, Object> refused = refusals.get(0);
            assertThat(refused).containsEntry("status", 429L).containsEntry("error", "budget_exceeded")
                    .containsEntry("upstream", null);
            assertThat(taskOf(refused)).containsEntry("id", "43");
            String metrics = RawHttpConnection.exchange(sluice.adminPort(),
                    "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").bodyText();
            assertThat(metrics).contains("sluice_budget_refusals_total{scope=\"task\"} 1.0");
        }
    }
}
