package org.sluice.proxy.audit.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.github.tomakehurst.wiremock.client.WireMock.JsonSchemaVersion;
import com.github.tomakehurst.wiremock.matching.MatchesJsonSchemaPattern;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.audit.AuditRecord;

/**
 * docs/audit-record.schema.json against lines written by the fixture helper, validated with the JSON Schema
 * (draft 2020-12) matcher that WireMock, already a test dependency, carries; and docs/audit-log.md against the
 * schema's fields.
 */
class AuditRecordSchemaTest {

    /** Surefire runs in the module folder. */
    private static final Path SCHEMA = Path.of("../docs/audit-record.schema.json");
    private static final Path DOC = Path.of("../docs/audit-log.md");
    private static final List<String> CHAIN_FIELDS = List.of("job", "node", "seq", "prev", "hash");

    private static String schema;
    private static MatchesJsonSchemaPattern matcher;

    @BeforeAll
    static void readSchema() throws IOException {
        schema = Files.readString(SCHEMA, StandardCharsets.UTF_8);
        matcher = new MatchesJsonSchemaPattern(schema, JsonSchemaVersion.V202012);
    }

    private static boolean valid(String line) {
        return matcher.match(line).isExactMatch();
    }

    private static List<String> fixtureLines() {
        ChainedLog log = ChainedLog.genesis("node-a", ChainedLog.newKey());
        log.request(Req.get("/api/task/1").job("j1"));
        log.request(Req.post("/api/results", 24).status(201).query("cd".repeat(32)));
        log.request(Req.get("/admin/export").denied("no rule allows GET on this path").job("j1"));
        log.request(Req.post("/api/results", 2_000_000).refused(413, "body_too_large", "too large"));
        log.request(Req.get("/internal").report("no rule allows GET on this path").host("central.example.org", 8443));
        log.request(Req.get("/api/slow").status(0).error("client_closed"));
        log.checkpoint("2026-11-23T09:20:00.000Z", "j1");
        log.checkpoint("2026-11-23T09:20:01.000Z", null);
        return log.lines();
    }

    @Test
    void everyLineTheFixtureWritesIsValid() {
        List<String> lines = fixtureLines();

        assertThat(lines).hasSize(8).allSatisfy(line -> assertThat(valid(line)).as(line).isTrue());
    }

    @Test
    void wrongTypesMissingAndUnknownFieldsAreInvalid() {
        List<String> lines = fixtureLines();
        String request = lines.get(0);
        String checkpoint = lines.get(6);

        assertThat(valid(request.replace("\"status\":200", "\"status\":\"200\""))).as("status as text").isFalse();
        assertThat(valid(request.replace("\"port\":443", "\"port\":0"))).as("port 0").isFalse();
        assertThat(valid(request.replace("\"decision\":\"allow\"", "\"decision\":\"maybe\""))).isFalse();
        assertThat(valid(request.replace("\"job\":\"j1\",", ""))).as("no job").isFalse();
        assertThat(valid(request.replace("\"seq\":1,", "\"seq\":0,"))).as("seq 0").isFalse();
        assertThat(valid(request.replace("{\"ts\"", "{\"query\":\"a=b\",\"ts\""))).as("a query in clear").isFalse();
        assertThat(valid(request.replace("\"ts\":\"2026-11-23T09:15:02.123Z\"", "\"ts\":\"2026-11-23 09:15\"")))
                .isFalse();
        assertThat(valid(checkpoint.replaceFirst("\"sig\":\"[^\"]+\",", ""))).as("no sig").isFalse();
        assertThat(valid(checkpoint.replaceFirst("\"keyId\":\"[0-9a-f]+\"", "\"keyId\":\"abc\""))).isFalse();
        assertThat(valid(checkpoint.replace("\"type\":\"checkpoint\"", "\"type\":\"note\""))).isFalse();
    }

    @Test
    void tunnelAndForwardRecordsAreValid() {
        String request = fixtureLines().get(0);
        String tunnel = request.replace("\"method\":\"GET\"", "\"method\":\"CONNECT\"")
                .replace("\"error\":null", "\"error\":\"sni_mismatch\",\"sni\":\"other.example\","
                        + "\"closeReason\":\"sni_mismatch\"");
        assertThat(tunnel).isNotEqualTo(request);
        assertThat(valid(tunnel)).as(tunnel).isTrue();
        assertThat(valid(tunnel.replace("\"closeReason\":\"sni_mismatch\"", "\"closeReason\":7"))).isFalse();
        String unknownDestination = request.replaceFirst("\"scheme\":\"[a-z]+\"", "\"scheme\":null")
                .replaceFirst("\"host\":\"[^\"]+\"", "\"host\":null").replace("\"port\":443", "\"port\":null");
        assertThat(unknownDestination).isNotEqualTo(request);
        assertThat(valid(unknownDestination)).as("a forward request whose target could not be read").isTrue();
    }

    @Test
    void aClaimedTaskIsAnObjectThatSaysItIsNotVerified() {
        String withTask = ChainedLog.genesis("node-a", null).request(Req.get("/api/task/1").task("42"));
        assertThat(withTask).contains("\"task\":{\"id\":\"42\"");

        assertThat(valid(withTask)).as(withTask).isTrue();
        assertThat(valid(withTask.replace("\"verified\":false", "\"verified\":true"))).as("verified").isFalse();
        assertThat(valid(withTask.replace("\"id\":\"42\",", ""))).as("no id").isFalse();
        assertThat(valid(withTask.replace("\"id\":\"42\"", "\"id\":42"))).as("id as a number").isFalse();
        assertThat(valid(withTask.replace("\"verified\":false", "\"verified\":false,\"token\":\"x\"")))
                .as("the token is never a field").isFalse();
    }

    @Test
    void contentIsAnObjectOfCountsAndCheckNamesWithNoRoomForAValue() {
        String refused = ChainedLog.genesis("node-a", null).request(Req.post("/api/results", 400)
                .contentRefused("protectedData", 3, "the request carries 3 protected rows; maxRows allows 0"));
        assertThat(refused).contains("\"content\":{\"check\":\"protectedData\",\"rowsMatched\":3");

        assertThat(valid(refused)).as(refused).isTrue();
        assertThat(valid(refused.replace("\"check\":\"protectedData\"", "\"check\":null"))).as("passed").isTrue();
        assertThat(valid(refused.replace("\"entropy\":4.71", "\"entropy\":null"))).as("not measured").isTrue();
        assertThat(valid(refused.replace("\"check\":\"protectedData\"", "\"check\":\"Ada Lovelace\"")))
                .as("a check is a name from a closed list").isFalse();
        assertThat(valid(refused.replace("\"entropy\":4.71", "\"entropy\":8.5"))).as("entropy above 8").isFalse();
        assertThat(valid(refused.replace("\"opaque\":false", "\"opaque\":false,\"sample\":\"1,Ada\"")))
                .as("nothing from the body").isFalse();
        assertThat(valid(refused.replace("\"rowsMatched\":3", "\"rowsMatched\":-1"))).isFalse();
        assertThat(valid(refused.replace("\"layers\":[\"gzip\",\"base64\"]", "\"layers\":\"gzip\"")))
                .isFalse();
    }

    @Test
    void theSchemaDeclaresEveryFieldOfTheRecordAndTheChain() throws IOException {
        // target (the request target as received) is only the writer's input for querySha256, never written.
        // tunnel is written as its two fields, sni and closeReason, on tunnel records only; task is one object.
        List<String> expected = new ArrayList<>(Arrays.stream(AuditRecord.class.getRecordComponents())
                .map(RecordComponent::getName).filter(name -> !name.equals("target"))
                .flatMap(name -> name.equals("tunnel") ? Stream.of("sni", "closeReason") : Stream.of(name))
                .toList());
        expected.add("querySha256");
        expected.addAll(CHAIN_FIELDS);

        assertThat(propertyNames("request")).containsExactlyElementsOf(expected);
        assertThat(propertyNames("checkpoint"))
                .containsExactly("type", "ts", "keyId", "sig", "job", "node", "seq", "prev", "hash");
    }

    @Test
    void theDocDescribesEveryField() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);

        Stream.concat(propertyNames("request").stream(), propertyNames("checkpoint").stream())
                .distinct()
                .forEach(field -> assertThat(doc).as(field).contains("| `" + field + "` |"));
        assertThat(doc).contains("audit-record.schema.json");
    }

    /** The names under $defs.NAME.properties, in file order. */
    private static List<String> propertyNames(String def) throws IOException {
        List<String> path = new ArrayList<>();
        List<String> target = List.of("", "$defs", def, "properties");
        List<String> names = new ArrayList<>();
        String field = "";
        try (JsonParser parser = new JsonFactory().createParser(schema)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                switch (token) {
                    case FIELD_NAME -> {
                        field = parser.currentName();
                        if (path.equals(target)) {
                            names.add(field);
                        }
                    }
                    case START_OBJECT, START_ARRAY -> {
                        path.add(field);
                        field = "[]";
                    }
                    case END_OBJECT, END_ARRAY -> path.remove(path.size() - 1);
                    default -> field = "[]";
                }
            }
        }
        return names;
    }
}
