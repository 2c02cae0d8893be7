package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.WireMock.JsonSchemaVersion;
import com.github.tomakehurst.wiremock.matching.MatchesJsonSchemaPattern;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.fingerprint.FingerprintIndexBuilder;
import org.sluice.proxy.testing.AuditChains;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.HttpBytes;
import org.sluice.proxy.testing.JsonLines;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawRecordingUpstream;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestDnsServer;
import org.sluice.proxy.testing.TestSluice;

/**
 * Content checks compiled from YAML (types, json limits, protectedData with an index built here), enforced by a
 * real Sluice on both listeners: a body that carries a protected row never reaches the upstream, however it is
 * framed, and nothing pipelined behind it does; the assertions are on the upstream's own bytes. Report mode
 * forwards and audits "report"; a cumulative limit refuses the request that crosses it.
 */
class ContentChecksE2ETest {

    private static final List<String> COLUMNS = List.of("patient_id", "birth_date", "postcode", "diagnosis");
    private static final String[] DIAGNOSES = {"E11", "I10", "J45"};

    @TempDir
    static Path folder;

    private static RawRecordingUpstream upstream;
    private static TestDnsServer dns;
    private static TestSluice sluice;

    /** Row i of the protected table: a unique id and birth date, a postcode shared by ten rows, three diagnoses. */
    private static List<String> row(int i) {
        return List.of("P-" + (100_000 + i * 7919), "19" + (40 + i % 50) + "-0" + (1 + i % 9) + "-1" + (i % 10),
                String.valueOf(1000 + i / 10), DIAGNOSES[i % 3]);
    }

    private static String rowAsJson(int i) {
        List<String> r = row(i);
        return "{\"id\":\"" + r.get(0) + "\",\"born\":\"" + r.get(1) + "\",\"pc\":\"" + r.get(2) + "\",\"dx\":\""
                + r.get(3) + "\"}";
    }

    @BeforeAll
    static void start() throws Exception {
        FingerprintIndexBuilder index = FingerprintIndexBuilder.forColumns(COLUMNS);
        for (int i = 0; i < 200; i++) {
            index.addRow(row(i));
        }
        Path sfp = folder.resolve("patients.sfp");
        Files.write(sfp, index.build().toBytes());
        upstream = RawRecordingUpstream.start();
        dns = TestDnsServer.start();
        dns.answer("data.test", 60, "127.0.0.1");
        sluice = TestSluice.start("""
                version: 1
                allowPrivate: [127.0.0.0/8]
                gateway:
                  listen: 127.0.0.1:0
                  upstream: %s
                forward:
                  listen: 127.0.0.1:0
                  dns:
                    servers: ["127.0.0.1:%d"]
                audit:
                  path: ${audit}
                rules:
                  - name: result
                    methods: [POST]
                    paths: ["/api/result"]
                    hosts: [127.0.0.1, data.test]
                    limits: {maxRequestBodyBytes: 64KiB}
                    content:
                      types: [application/json]
                      json: {maxDepth: 4, maxNumbers: 20}
                      protectedData: {index: %s, maxRows: 0, maxRareValues: 0}
                  - name: trickle
                    methods: [POST]
                    paths: ["/api/trickle"]
                    content:
                      types: [application/json]
                      protectedData: {index: %s, maxRows: 100, maxRareValues: 100, perJob: {maxRareValues: 4}}
                  - name: trial
                    methods: [POST]
                    paths: ["/api/trial"]
                    content: {types: [application/json], mode: report}
                  - name: plain
                    methods: [GET, POST]
                    paths: ["/api/plain/**"]
                """.formatted(upstream.url(), dns.address().getPort(), sfp, sfp));
    }

    @AfterAll
    static void stop() throws IOException {
        if (sluice != null) {
            sluice.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    /** Everything the upstream has received on every connection so far. */
    private static String upstreamSaw() {
        StringBuilder all = new StringBuilder();
        for (byte[] stream : upstream.streams()) {
            all.append(new String(stream, StandardCharsets.ISO_8859_1));
        }
        return all.toString();
    }

    private static String post(String path, String agent, String type, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: sluice\r\nUser-Agent: " + agent + "\r\nContent-Type: " + type
                + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /**
     * The audit records for {@code path} once there are {@code count} of them: a record is queued when its answer
     * has been written, which can be just after the client has read it.
     */
    private static List<Map<String, Object>> awaitRecords(String path, int count) {
        return Await.until(() -> sluice.audit().stream().filter(r -> path.equals(r.get("path"))).toList(),
                records -> records.size() >= count, Duration.ofSeconds(10), count + " audit records for " + path);
    }

    private static void assertContentRefused(RawResponse response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(403);
        assertThat(response.header("X-Sluice-Error")).isEqualTo("content_refused");
        assertThat(response.bodyText()).doesNotContain("P-1");
    }

    @Test
    void anAggregatePassesAndArrivesAsSent() throws Exception {
        String body = "{\"mean\": 41.5, \"count\": 200, \"histogram\": [12, 40, 77, 50, 21]}";

        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                post("/api/result", "agent-aggregate", "application/json", body));

        assertThat(response.status()).isEqualTo(200);
        assertThat(upstreamSaw()).contains("agent-aggregate").contains(body);
    }

    @Test
    void aRowInAContentLengthBodyNeverReachesTheUpstream() throws Exception {
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                post("/api/result", "agent-row-length", "application/json", "{\"rows\": [" + rowAsJson(11) + "]}"));

        assertContentRefused(response);
        assertThat(response.bodyText()).contains("protectedData");
        assertThat(upstreamSaw()).doesNotContain("agent-row-length").doesNotContain(row(11).get(0));
    }

    @Test
    void aRowInAChunkedBodyNeverReachesTheUpstream() throws Exception {
        byte[] body = ("{\"rows\": [" + rowAsJson(12) + "]}").getBytes(StandardCharsets.UTF_8);

        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(), HttpBytes.request(
                "POST /api/result HTTP/1.1\r\nHost: sluice\r\nUser-Agent: agent-row-chunked\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                HttpBytes.chunked(body, 7)));

        assertContentRefused(response);
        assertThat(upstreamSaw()).doesNotContain("agent-row-chunked").doesNotContain(row(12).get(0));
    }

    @Test
    void aRowAfterExpectContinueNeverReachesTheUpstream() throws Exception {
        String body = "{\"rows\": [" + rowAsJson(13) + "]}";
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("POST /api/result HTTP/1.1\r\nHost: sluice\r\nUser-Agent: agent-row-continue\r\n"
                    + "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + body.length()
                    + "\r\n\r\n");
            assertThat(connection.readResponse(true).status()).isEqualTo(100);
            connection.send(body);

            assertContentRefused(connection.readResponse());
        }
        assertThat(upstreamSaw()).doesNotContain("agent-row-continue").doesNotContain(row(13).get(0));
    }

    @Test
    void requestsPipelinedBehindARefusedBodyAreNeverForwarded() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send(post("/api/result", "agent-pipelined-1", "application/json", rowAsJson(14))
                    + "GET /api/plain/next HTTP/1.1\r\nHost: sluice\r\nUser-Agent: agent-pipelined-2\r\n\r\n"
                    + post("/api/plain/after", "agent-pipelined-3", "text/plain", "hello"));

            assertContentRefused(connection.readResponse());
            assertThat(connection.closedByPeerWithin(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(upstreamSaw()).doesNotContain("agent-pipelined");
    }

    @Test
    void aRowSentThroughTheForwardListenerInPlainHttpNeverReachesTheUpstream() throws Exception {
        String port = upstream.url().substring(upstream.url().lastIndexOf(':') + 1);
        String body = "{\"rows\": [" + rowAsJson(15) + "]}";

        RawResponse response = RawHttpConnection.exchange(sluice.forwardPort(), "POST http://data.test:" + port
                + "/api/result HTTP/1.1\r\nHost: data.test:" + port + "\r\nUser-Agent: agent-row-forward\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        RawResponse aggregate = RawHttpConnection.exchange(sluice.forwardPort(), "POST http://data.test:" + port
                + "/api/result HTTP/1.1\r\nHost: data.test:" + port + "\r\nUser-Agent: agent-sum-forward\r\n"
                + "Content-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"sum\": 415}");

        assertContentRefused(response);
        assertThat(aggregate.status()).as("the same rule lets an aggregate through").isEqualTo(200);
        assertThat(upstreamSaw()).doesNotContain("agent-row-forward").doesNotContain(row(15).get(0))
                .contains("agent-sum-forward");
    }

    @Test
    void aRuleWithoutContentChecksForwardsTheBodyAsSent() throws Exception {
        String body = rowAsJson(16); // no check on this rule: it goes, byte for byte

        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                post("/api/plain/upload", "agent-plain", "application/json", body));

        assertThat(response.status()).isEqualTo(200);
        assertThat(upstreamSaw()).contains("Content-Length: " + body.length() + "\r\n").contains("\r\n\r\n" + body);
        Map<String, Object> record = awaitRecords("/api/plain/upload", 1).get(0);
        assertThat(record).containsEntry("content", null).containsEntry("decision", "allow");
    }

    @Test
    void inReportModeABodyTheTypesRefuseIsForwardedAndAuditedAsReport() throws Exception {
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                post("/api/trial", "agent-trial", "text/csv", "a,b\n1,2\n"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(upstreamSaw()).contains("agent-trial");
        Map<String, Object> record = awaitRecords("/api/trial", 1).get(0);
        assertThat(record).containsEntry("decision", "report").containsEntry("error", null);
        assertThat((String) record.get("reason")).startsWith("would be refused: ");
        assertThat(record.get("content")).asString().contains("check=types");
    }

    @Test
    void oneRowPerRequestIsRefusedAtTheRequestThatCrossesTheJobLimitOfRareValues() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statuses.add(RawHttpConnection.exchange(sluice.gatewayPort(), post("/api/trickle", "agent-trickle-" + i,
                    "application/json", rowAsJson(20 + i))).status());
        }

        assertThat(statuses).containsExactly(200, 200, 403);
        assertThat(upstreamSaw()).contains("agent-trickle-0").contains("agent-trickle-1")
                .doesNotContain("agent-trickle-2").doesNotContain(row(22).get(0));
        List<Map<String, Object>> trickle = awaitRecords("/api/trickle", 3);
        assertThat(trickle).hasSize(3);
        assertThat((String) trickle.get(2).get("reason")).contains("protectedData.perJob.maxRareValues allows 4");
        assertThat(trickle.get(2).get("content")).asString().contains("check=protectedData").contains("rareValues=2");
    }

    @Test
    void recordsWithContentAreChainedAndMatchThePublishedSchema() throws Exception {
        RawHttpConnection.exchange(sluice.gatewayPort(),
                post("/api/result", "agent-schema-1", "application/json", rowAsJson(30)));
        RawHttpConnection.exchange(sluice.gatewayPort(),
                post("/api/result", "agent-schema-2", "application/json", "{\"mean\": 2.5}"));
        awaitRecords("/api/result", 2);

        List<String> lines = AuditChains.lines(sluice.auditFile());
        String node = String.valueOf(JsonLines.object(lines.get(0)).get("node"));
        AuditChains.assertChainFromGenesis(lines, node);
        MatchesJsonSchemaPattern schema = new MatchesJsonSchemaPattern(Files.readString(
                Path.of("../docs/audit-record.schema.json")), JsonSchemaVersion.V202012);
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"content\":{\"check\":\"protectedData\""))
                .anySatisfy(line -> assertThat(line).contains("\"content\":{\"check\":null"))
                .allSatisfy(line -> assertThat(schema.match(line).isExactMatch()).as(line).isTrue());
    }

    @Test
    void aClientThatClosesMidBodySendsNothingUpstream() throws Exception {
        String body = "{\"mean\": 1.5, \"note\": \"agent-cut-body\"}";
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("POST /api/result HTTP/1.1\r\nHost: sluice\r\nUser-Agent: agent-cut\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + (body.length() + 100) + "\r\n\r\n" + body);
        }
        List<Map<String, Object>> cut = Await.until(() -> sluice.audit().stream()
                        .filter(r -> "client_closed".equals(r.get("error")) && "/api/result".equals(r.get("path")))
                        .toList(), records -> !records.isEmpty(), Duration.ofSeconds(10), "the cut request's record");

        assertThat(cut).hasSize(1);
        assertThat(cut.get(0)).containsEntry("upstream", null).containsEntry("content", null);
        assertThat(upstreamSaw()).doesNotContain("agent-cut");
    }
}
