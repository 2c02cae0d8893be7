package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.Mode;
import org.sluice.policy.content.ContentCheck;
import org.sluice.policy.content.ContentInput;
import org.sluice.policy.content.ContentVerdict;
import org.sluice.policy.content.CumulativeLimits;

/**
 * ContentGate in the gateway's real request handlers: a refused body never reaches the upstream (not the head, not
 * a byte), whatever its framing; a body is never forwarded before it is whole and checked; report mode forwards and
 * audits "report"; cumulative limits refuse the request that crosses them; a rule without checks passes unchanged.
 */
class ContentGateTest {

    private static final String YAML = """
            version: 1
            gateway: {listen: 127.0.0.1:0, upstream: http://localhost:1}
            audit: {path: audit.jsonl}
            rules:
              - {name: results, methods: [GET, POST], paths: ["/api/**"], headers: [x-note]}
              - {name: trial, methods: [POST], paths: ["/trial/**"], mode: report}
            """;
    private static final String TYPES_REASON = "the body is text/csv; content.types allows application/json";
    private static final ContentVerdict PASS = new ContentVerdict(null, null, 0, 0, 4.25, 0, List.of(), false);

    @TempDir
    Path folder;

    private ContentPipeline pipeline;

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** A content check that answers as told and remembers what it was given. */
    static final class ScriptedCheck implements ContentCheck {
        final List<ContentInput> inputs = new ArrayList<>();
        private final Function<ContentInput, ContentVerdict> answer;
        private final CumulativeLimits limits;
        private final Mode mode;

        ScriptedCheck(Function<ContentInput, ContentVerdict> answer, CumulativeLimits limits, Mode mode) {
            this.answer = answer;
            this.limits = limits;
            this.mode = mode;
        }

        static ScriptedCheck answering(ContentVerdict verdict) {
            return new ScriptedCheck(in -> verdict, CumulativeLimits.NONE, null);
        }

        @Override
        public ContentVerdict inspect(ContentInput input) {
            inputs.add(input);
            return answer.apply(input);
        }

        @Override
        public CumulativeLimits cumulative() {
            return limits;
        }

        @Override
        public Mode mode() {
            return mode;
        }
    }

    private static ContentVerdict refusedByTypes() {
        return new ContentVerdict("types", TYPES_REASON, 0, 0, 4.5, 0, List.of("base64"), false);
    }

    private static ContentVerdict rows(int rows) {
        return new ContentVerdict(null, null, rows, 0, 4.0, 0, List.of(), false);
    }

    private ContentPipeline with(ContentCheck check) throws Exception {
        pipeline = new ContentPipeline(folder, YAML, check);
        return pipeline;
    }

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: sluice\r\nContent-Type: text/csv\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
    }

    private static String chunked(String path, String... chunks) {
        StringBuilder wire = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: sluice\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        for (String chunk : chunks) {
            wire.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        return wire.append("0\r\n\r\n").toString();
    }

    private Map<String, Object> onlyRecord() {
        List<Map<String, Object>> records = pipeline.auditRecords();
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> content(Map<String, Object> record) {
        return (Map<String, Object>) record.get("content");
    }

    @Test
    void aRefusedContentLengthBodyNeverReachesTheUpstream() throws Exception {
        ScriptedCheck check = ScriptedCheck.answering(refusedByTypes());
        with(check);

        String response = pipeline.send(post("/api/results", "id,name\n1,Ada\n"));

        assertThat(response).startsWith("HTTP/1.1 403 ").contains("x-sluice-error: content_refused")
                .contains("\"error\":\"content_refused\"").contains(TYPES_REASON)
                .doesNotContain("Ada");
        assertThat(pipeline.upstream.sent()).as("not the head, not a byte").isEmpty();
        assertThat(new String(check.inputs.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("id,name\n1,Ada\n");
        Map<String, Object> record = onlyRecord();
        // As for a limit: the rules allowed it (decision allow), Sluice refused it (status, error).
        assertThat(record).containsEntry("decision", "allow").containsEntry("status", 403L)
                .containsEntry("error", "content_refused").containsEntry("reason", TYPES_REASON)
                .containsEntry("rule", "results");
        assertThat(content(record)).containsEntry("check", "types").containsEntry("entropy", 4.5)
                .containsEntry("layers", List.of("base64")).containsEntry("opaque", false);
    }

    @Test
    void aRefusedChunkedBodyNeverReachesTheUpstream() throws Exception {
        ScriptedCheck check = ScriptedCheck.answering(refusedByTypes());
        with(check);

        String response = pipeline.send(chunked("/api/results", "id,name\n", "1,Ada\n"));

        assertThat(response).startsWith("HTTP/1.1 403 ").contains("content_refused");
        assertThat(pipeline.upstream.sent()).isEmpty();
        assertThat(new String(check.inputs.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("id,name\n1,Ada\n");
    }

    @Test
    void anExpectContinueBodyIsCheckedAfterTheContinueAndNeverReachesTheUpstream() throws Exception {
        ScriptedCheck check = ScriptedCheck.answering(refusedByTypes());
        with(check);

        String interim = pipeline.send("POST /api/results HTTP/1.1\r\nHost: sluice\r\nExpect: 100-continue\r\n"
                + "Content-Length: 6\r\n\r\n");
        assertThat(interim).startsWith("HTTP/1.1 100 Continue");
        String response = pipeline.send("1,Ada\n");

        assertThat(response).startsWith("HTTP/1.1 403 ").contains("content_refused");
        assertThat(pipeline.upstream.sent()).isEmpty();
        assertThat(check.inputs).hasSize(1);
    }

    @Test
    void nothingIsForwardedOrCheckedBeforeTheBodyIsWhole() throws Exception {
        ScriptedCheck check = ScriptedCheck.answering(PASS);
        with(check);
        String wire = post("/api/results", "{\"mean\": 4.2, \"count\": 31}");
        int half = wire.length() - 10;

        pipeline.send(wire.substring(0, half));
        assertThat(pipeline.upstream.sent()).as("head and first part held").isEmpty();
        assertThat(check.inputs).isEmpty();
        String response = pipeline.send(wire.substring(half));

        assertThat(response).startsWith("HTTP/1.1 200 ");
        assertThat(pipeline.upstream.messages).as("one request with its length").containsExactly("full");
        assertThat(pipeline.upstream.sent()).contains("Content-Length: 26")
                .endsWith("\r\n\r\n{\"mean\": 4.2, \"count\": 31}");
        assertThat(onlyRecord()).containsEntry("decision", "allow");
    }

    @Test
    void aClientThatClosesMidBodySendsNothingUpstreamAndLeaksNothing() throws Exception {
        ScriptedCheck check = ScriptedCheck.answering(PASS);
        with(check);
        String wire = post("/api/results", "x".repeat(100));

        pipeline.send(wire.substring(0, wire.length() - 40));
        pipeline.client.close();
        pipeline.client.runPendingTasks();

        assertThat(pipeline.upstream.sent()).isEmpty();
        assertThat(check.inputs).as("a body not whole is not even checked").isEmpty();
        assertThat(onlyRecord()).containsEntry("error", "client_closed").containsEntry("content", null);
    }

    @Test
    void requestsPipelinedBehindARefusedBodyAreNeverForwarded() throws Exception {
        ScriptedCheck check = new ScriptedCheck(in -> in.body().length > 0 ? refusedByTypes() : PASS,
                CumulativeLimits.NONE, null);
        with(check);

        String response = pipeline.send(post("/api/results", "1,Ada\n") + "GET /api/results/1 HTTP/1.1\r\n"
                + "Host: sluice\r\n\r\n" + post("/api/results", ""));

        assertThat(response).startsWith("HTTP/1.1 403 ").contains("connection: close");
        assertThat(response.split("HTTP/1.1 ", -1)).as("one answer").hasSize(2);
        assertThat(pipeline.upstream.sent()).isEmpty();
        assertThat(check.inputs).hasSize(1);
    }

    @Test
    void aRefusedBodilessRequestKeepsTheConnectionForTheNext() throws Exception {
        ScriptedCheck check = new ScriptedCheck(in -> in.query() != null ? new ContentVerdict("protectedData",
                "the request carries 1 protected row; protectedData.maxRows allows 0", 1, 0, -1, 0, List.of(),
                false) : PASS, CumulativeLimits.NONE, null);
        with(check);

        String response = pipeline.send("GET /api/results?name=Ada HTTP/1.1\r\nHost: sluice\r\n\r\n"
                + "GET /api/results/2 HTTP/1.1\r\nHost: sluice\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 403 ").contains("HTTP/1.1 200 ");
        assertThat(pipeline.upstream.sent()).startsWith("GET /api/results/2 HTTP/1.1").doesNotContain("Ada");
        assertThat(pipeline.upstream.messages).as("a bodiless request goes as it came").containsExactly("head",
                "last");
        assertThat(check.inputs.get(0).query()).isEqualTo("name=Ada");
        List<Map<String, Object>> records = pipeline.auditRecords();
        assertThat(content(records.get(0))).containsEntry("check", "protectedData").containsEntry("rowsMatched", 1L)
                .containsEntry("entropy", null);
    }

    @Test
    void theCheckReadsTheHeadAsItGoesUpstream() throws Exception {
        ScriptedCheck check = ScriptedCheck.answering(PASS);
        with(check);

        pipeline.send("POST /api/results?round=3&x=%41 HTTP/1.1\r\nHost: sluice\r\nContent-Type: application/json\r\n"
                + "Content-Encoding: gzip\r\nX-Note: secret-cell\r\nX-Stripped: never-forwarded\r\n"
                + "Content-Length: 2\r\n\r\n{}");

        ContentInput input = check.inputs.get(0);
        assertThat(input.contentType()).isEqualTo("application/json");
        assertThat(input.contentEncoding()).isEqualTo("gzip");
        assertThat(input.query()).as("raw, as it goes upstream").isEqualTo("round=3&x=%41");
        assertThat(input.headerValues()).contains("secret-cell", "application/json", "gzip")
                .doesNotContain("never-forwarded", "sluice", "localhost:1", "2");
        assertThat(pipeline.upstream.sent()).contains("X-Note: secret-cell").doesNotContain("never-forwarded");
    }

    @Test
    void aRuleWithoutContentChecksPassesEveryMessageUnchangedAndAPassingCheckSendsTheSameBytes(@TempDir Path other)
            throws Exception {
        String wire = post("/api/results", "a".repeat(70_000)); // more than one 64 KiB part
        pipeline = new ContentPipeline(other, YAML, null);
        pipeline.send(wire);
        List<String> plainMessages = List.copyOf(pipeline.upstream.messages);
        String plain = withoutRequestId(pipeline.upstream.sent());
        pipeline.close();

        ScriptedCheck check = ScriptedCheck.answering(PASS);
        with(check);
        pipeline.send(wire);

        assertThat(plainMessages).as("streamed as it came: no content checks, nothing held")
                .containsExactly("head", "content", "last");
        assertThat(pipeline.upstream.messages).containsExactly("full");
        assertThat(withoutRequestId(pipeline.upstream.sent())).as("the same bytes either way").isEqualTo(plain);
        assertThat(check.inputs.get(0).body()).hasSize(70_000);
    }

    private static String withoutRequestId(String wire) {
        return wire.replaceAll("x-sluice-request-id: [^\r]+\r\n", "");
    }

    @Test
    void inReportModeARefusedBodyIsForwardedAndAuditedAsReport() throws Exception {
        ScriptedCheck check = new ScriptedCheck(in -> refusedByTypes(), CumulativeLimits.NONE, Mode.REPORT);
        with(check);

        String response = pipeline.send(post("/api/results", "1,Ada\n"));

        assertThat(response).startsWith("HTTP/1.1 200 ");
        assertThat(pipeline.upstream.sent()).endsWith("1,Ada\n");
        Map<String, Object> record = onlyRecord();
        assertThat(record).containsEntry("decision", "report").containsEntry("rule", "results")
                .containsEntry("reason", "would be refused: " + TYPES_REASON).containsEntry("error", null);
        assertThat(content(record)).containsEntry("check", "types");
    }

    @Test
    void aRuleInReportModeReportsWhatItsChecksRefuseUnlessTheChecksEnforce(@TempDir Path other) throws Exception {
        ScriptedCheck ruleMode = ScriptedCheck.answering(refusedByTypes());
        with(ruleMode);
        assertThat(pipeline.send(post("/trial/1", "1,Ada\n"))).startsWith("HTTP/1.1 200 ");
        assertThat(onlyRecord()).containsEntry("decision", "report").containsEntry("rule", "trial");
        pipeline.close();

        pipeline = new ContentPipeline(other, YAML, new ScriptedCheck(in -> refusedByTypes(), CumulativeLimits.NONE,
                Mode.ENFORCE));

        assertThat(pipeline.send(post("/trial/1", "1,Ada\n"))).startsWith("HTTP/1.1 403 ");
        assertThat(pipeline.upstream.sent()).isEmpty();
    }

    @Test
    void oneRowPerRequestIsRefusedAtTheRequestThatCrossesTheJobLimit() throws Exception {
        ScriptedCheck check = new ScriptedCheck(in -> rows(1), new CumulativeLimits(2, Long.MAX_VALUE,
                Long.MAX_VALUE, Long.MAX_VALUE), null);
        with(check);

        assertThat(pipeline.send(post("/api/results", "1,Ada\n"))).startsWith("HTTP/1.1 200 ");
        assertThat(pipeline.send(post("/api/results", "2,Bob\n"))).startsWith("HTTP/1.1 200 ");
        String third = pipeline.send(post("/api/results", "3,Cy\n"));

        assertThat(third).startsWith("HTTP/1.1 403 ").contains("content_refused")
                .contains("protectedData.perJob.maxRows")
                .contains("has sent 2 protected rows");
        assertThat(pipeline.upstream.sent()).contains("1,Ada").contains("2,Bob").doesNotContain("3,Cy");
        Map<String, Object> last = pipeline.auditRecords().get(2);
        assertThat(content(last)).containsEntry("check", "protectedData").containsEntry("rowsMatched", 1L);
        assertThat(pipeline.conn.gateway.contentLedger().jobRows()).as("the refused row was not counted")
                .isEqualTo(2);
    }

    @Test
    void aWindowLimitInReportModeForwardsAndStillCounts() throws Exception {
        ScriptedCheck check = new ScriptedCheck(in -> rows(3), new CumulativeLimits(Long.MAX_VALUE, Long.MAX_VALUE,
                4, Long.MAX_VALUE), Mode.REPORT);
        with(check);

        assertThat(pipeline.send(post("/api/results", "a"))).startsWith("HTTP/1.1 200 ");
        assertThat(pipeline.send(post("/api/results", "b"))).startsWith("HTTP/1.1 200 ");

        List<Map<String, Object>> records = pipeline.auditRecords();
        assertThat(records.get(0)).containsEntry("decision", "allow");
        assertThat(records.get(1)).containsEntry("decision", "report");
        assertThat((String) records.get(1).get("reason")).startsWith("would be refused: ")
                .contains("protectedData.perWindow.maxRows allows 4");
        assertThat(pipeline.conn.gateway.contentLedger().jobRows()).isEqualTo(6);
    }

    @Test
    void aRefusedRequestIsChargedToNoBudget(@TempDir Path other) throws Exception {
        ScriptedCheck check = new ScriptedCheck(in -> in.query() != null ? refusedByTypes() : PASS,
                CumulativeLimits.NONE, null);
        pipeline = new ContentPipeline(other, YAML + "budgets: {perJob: {requests: 1}}\n", check);

        String refused = pipeline.send("GET /api/results?row=1,Ada HTTP/1.1\r\nHost: sluice\r\n\r\n");
        String first = pipeline.send("GET /api/results/1 HTTP/1.1\r\nHost: sluice\r\n\r\n");
        String second = pipeline.send("GET /api/results/2 HTTP/1.1\r\nHost: sluice\r\n\r\n");

        assertThat(refused).startsWith("HTTP/1.1 403 ").contains("content_refused");
        assertThat(first).as("the budget's one request is still there").startsWith("HTTP/1.1 200 ");
        assertThat(second).startsWith("HTTP/1.1 429 ");
    }

    @Test
    void aCheckThatFailsRefusesRatherThanSendsUnchecked() throws Exception {
        with(new ScriptedCheck(in -> {
            throw new IllegalStateException("engine bug, message with Ada in it");
        }, CumulativeLimits.NONE, Mode.REPORT));

        String response = pipeline.send(post("/api/results", "1,Ada\n"));

        assertThat(response).startsWith("HTTP/1.1 403 ").contains("IllegalStateException").doesNotContain("Ada");
        assertThat(pipeline.upstream.sent()).isEmpty();
    }

    @Test
    void theMetricsCountOutcomesChecksAndBytes() throws Exception {
        ScriptedCheck check = new ScriptedCheck(in -> in.body().length == 1 ? PASS : refusedByTypes(),
                CumulativeLimits.NONE, null);
        with(check);
        pipeline.send(post("/api/results", "a"));
        pipeline.send(post("/api/results", "bcd"));

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        pipeline.metrics.writeText(text);
        String metrics = text.toString(StandardCharsets.UTF_8);

        assertThat(metrics).contains("sluice_content_checked_total{outcome=\"passed\"} 1.0")
                .contains("sluice_content_checked_total{outcome=\"refused\"} 1.0")
                .contains("sluice_content_checked_total{outcome=\"reported\"} 0.0")
                .contains("sluice_content_refused_total{check=\"types\"} 1.0")
                .contains("sluice_content_refused_total{check=\"protectedData\"} 0.0")
                .contains("sluice_content_bytes_total 4.0");
    }
}
