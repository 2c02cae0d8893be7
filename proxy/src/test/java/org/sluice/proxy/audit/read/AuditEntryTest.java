package org.sluice.proxy.audit.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.audit.AuditChain;

class AuditEntryTest {

    private static AuditEntry parse(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return AuditEntry.parse(new RawLine(1, bytes, bytes.length, true));
    }

    private static String firstLine() {
        ChainedLog log = ChainedLog.genesis("node-a", null);
        return log.request(Req.get("/api/ü/😀").job("j1").query("cd".repeat(32)));
    }

    @Test
    void aChainedLineCarriesItsPlaceInTheChain() {
        String line = firstLine();

        AuditEntry entry = parse(line);

        assertThat(entry.chainProblem()).isNull();
        assertThat(entry.hashMatchesContent()).isTrue();
        assertThat(entry.seq()).isEqualTo(1);
        assertThat(entry.prev()).isEqualTo(AuditChain.genesis("node-a"));
        assertThat(entry.hash()).isEqualTo(ChainedLog.hashOf(line));
        assertThat(entry.node()).isEqualTo("node-a");
        assertThat(entry.job()).isEqualTo("j1");
        assertThat(entry.text("path")).isEqualTo("/api/ü/😀");
        assertThat(entry.number("port", 0)).isEqualTo(443);
        assertThat(entry.isRequest()).isTrue();
        assertThat(entry.isCheckpoint()).isFalse();
    }

    @Test
    void anyChangedByteBreaksTheHash() {
        String line = firstLine();
        for (int i = 1; i < line.indexOf(",\"hash\":\""); i++) {
            char c = line.charAt(i);
            if (c == '1' || c == 'a') {
                String changed = line.substring(0, i) + (c == '1' ? '2' : 'b') + line.substring(i + 1);
                AuditEntry entry = parse(changed);
                assertThat(entry == null || !entry.hashMatchesContent()).as("changed at %d", i).isTrue();
            }
        }
    }

    @Test
    void bytesAfterTheHashFieldAreNotAccepted() {
        String line = firstLine();
        String extra = line.substring(0, line.length() - 1) + ",\"decision\":\"allow\"}";
        String crlf = line + "\r";
        String upperHex = line.substring(0, line.length() - 66) + line.substring(line.length() - 66).toUpperCase()
                .replace("\"}", "\"}");

        assertThat(parse(extra)).as("a duplicate field").isNull();
        assertThat(parse(line.substring(0, line.length() - 1) + ",\"x\":1}").chainProblem())
                .startsWith("it does not end with \"hash\"");
        assertThat(parse(crlf).chainProblem()).startsWith("it does not end with \"hash\"");
        assertThat(parse(upperHex).chainProblem()).startsWith("it does not end with \"hash\"");
    }

    @Test
    void onlyOneWholeJsonObjectParses() {
        String line = firstLine();

        assertThat(parse(line.substring(0, 50))).isNull();
        assertThat(parse(line + line)).isNull();
        assertThat(parse("[1,2]")).isNull();
        assertThat(parse("")).isNull();
        assertThat(parse("{\"a\":{\"b\":[1]},\"seq\":2}").text("a")).isNull();
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        assertThat(AuditEntry.parse(new RawLine(1, bytes, bytes.length + 10L, true))).as("cut short").isNull();
    }

    @Test
    void theScalarMembersOfANestedObjectAreReadAsObjectDotMember() {
        AuditEntry entry = parse(ChainedLog.genesis("node-a", null).request(Req.get("/api/x").task("42")));

        assertThat(entry.text("task")).as("the object itself has no text").isNull();
        assertThat(entry.has("task")).isTrue();
        assertThat(entry.text("task.id")).isEqualTo("42");
        assertThat(entry.text("task.node")).isEqualTo("3");
        assertThat(entry.text("task.verified")).isEqualTo("false");
        assertThat(entry.chainProblem()).isNull();
        assertThat(entry.hashMatchesContent()).isTrue();
        AuditEntry deeper = parse("{\"a\":{\"b\":[1],\"c\":{\"d\":1},\"e\":null,\"f\":7},\"seq\":2}");
        assertThat(deeper.text("a.b")).isNull();
        assertThat(deeper.has("a.c.d")).isFalse();
        assertThat(deeper.has("a.e")).isTrue();
        assertThat(deeper.number("a.f", -1)).isEqualTo(7);
        assertThat(parse(ChainedLog.genesis("node-a", null).request(Req.get("/api/x"))).text("task.id")).isNull();
    }

    @Test
    void linesWithoutChainFieldsSayWhatIsMissing() {
        assertThat(parse("{\"ts\":\"x\"}").chainProblem()).isEqualTo("no \"seq\" (a whole number from 1)");
        assertThat(parse("{\"seq\":0}").chainProblem()).isEqualTo("no \"seq\" (a whole number from 1)");
        assertThat(parse("{\"seq\":1.5}").chainProblem()).isEqualTo("no \"seq\" (a whole number from 1)");
        assertThat(parse("{\"seq\":1}").chainProblem()).isEqualTo("no \"node\"");
        assertThat(parse("{\"seq\":1,\"node\":\"n\",\"prev\":\"00\"}").chainProblem())
                .isEqualTo("no \"prev\" (64 hex digits)");
    }
}
