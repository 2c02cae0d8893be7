package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.task.TaskClaims;
import org.sluice.proxy.testing.AuditChains;

class AuditLineEncoderTest {

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static AuditRecord withStrings(String s) {
        return new AuditRecord(0L, s, s, s, s, s, s, 1, s, s, s, s, 2, 3, 4, s, 5, s, s, s);
    }

    @Test
    void writesEveryContractFieldInRecordOrder() throws IOException {
        AuditLineEncoder encoder = Records.encoder();
        encoder.append(Records.withId("r-1"));

        Map<String, Object> line = JsonLines.parse(bytes(encoder.batch())).get(0);

        assertThat(new ArrayList<>(line.keySet())).containsExactlyElementsOf(JsonLines.CONTRACT_FIELDS);
        assertThat(line).containsEntry("ts", "2026-11-23T09:15:02.123Z")
                .containsEntry("id", "r-1")
                .containsEntry("port", 443L)
                .containsEntry("status", 200L)
                .containsEntry("reqBytes", 12L)
                .containsEntry("respBytes", 34L)
                .containsEntry("reqBytesSent", 12L)
                .containsEntry("durationMs", 7L)
                .containsEntry("error", null);
    }

    @Test
    void contentIsWrittenAsCountsWithEntropyToTwoDecimalsAndNeverTheBody() throws IOException {
        AuditRecord r = Records.withId("c-1");
        AuditLineEncoder encoder = Records.encoder();
        encoder.append(withContent(r, new AuditRecord.Content("protectedData", 2, 1, 7.499999999, 3,
                List.of("gzip", "base64"), true)));
        encoder.append(withContent(r, new AuditRecord.Content(null, 0, 0, -1, 0, List.of(), false)));

        String[] lines = new String(bytes(encoder.batch()), StandardCharsets.UTF_8).split("\n");

        assertThat(lines[0]).contains(",\"task\":null,\"content\":{\"check\":\"protectedData\",\"rowsMatched\":2,"
                + "\"rareValues\":1,\"entropy\":7.50,\"schemaErrors\":3,\"layers\":[\"gzip\",\"base64\"],"
                + "\"opaque\":true},\"job\":");
        assertThat(lines[1]).contains("\"content\":{\"check\":null,\"rowsMatched\":0,\"rareValues\":0,"
                + "\"entropy\":null,\"schemaErrors\":0,\"layers\":[],\"opaque\":false}");
    }

    private static AuditRecord withContent(AuditRecord r, AuditRecord.Content content) {
        return new AuditRecord(r.ts(), r.id(), r.listener(), r.client(), r.method(), r.scheme(), r.host(), r.port(),
                r.path(), r.decision(), r.rule(), r.reason(), r.status(), r.reqBytes(), r.respBytes(), r.reqSha256(),
                r.durationMs(), r.upstream(), r.policy(), r.error(), r.target(), r.tunnel(), r.reqBytesSent(),
                r.task(), content);
    }

    @Test
    void nullFieldsAreWrittenAsNull() throws IOException {
        AuditLineEncoder encoder = Records.encoder();
        encoder.append(new AuditRecord(0L, null, null, null, null, null, null, 0, null, null, null, null, 0, 0,
                0, null, 0, null, null, null));

        Map<String, Object> line = JsonLines.parse(bytes(encoder.batch())).get(0);

        assertThat(new ArrayList<>(line.keySet())).containsExactlyElementsOf(JsonLines.CONTRACT_FIELDS);
        assertThat(line.get("id")).isNull();
        assertThat(line.get("path")).isNull();
    }

    @Test
    void timestampHasExactlyMillisecondsInUtc() throws IOException {
        AuditLineEncoder encoder = Records.encoder();
        encoder.append(withTs(Instant.parse("2026-01-02T03:04:05Z").toEpochMilli()));
        encoder.append(withTs(Instant.parse("2026-11-23T09:15:02.123Z").toEpochMilli()));
        encoder.append(withTs(Instant.parse("1999-12-31T23:59:59.001Z").toEpochMilli()));

        List<Map<String, Object>> lines = JsonLines.parse(bytes(encoder.batch()));

        assertThat(lines).extracting(l -> l.get("ts"))
                .containsExactly("2026-01-02T03:04:05.000Z", "2026-11-23T09:15:02.123Z", "1999-12-31T23:59:59.001Z");
    }

    private static AuditRecord withTs(long ts) {
        AuditRecord r = Records.withId("t");
        return new AuditRecord(ts, r.id(), r.listener(), r.client(), r.method(), r.scheme(), r.host(), r.port(),
                r.path(), r.decision(), r.rule(), r.reason(), r.status(), r.reqBytes(), r.respBytes(), r.reqSha256(),
                r.durationMs(), r.upstream(), r.policy(), r.error());
    }

    @Test
    void escapesQuotesBackslashesControlCharsAndKeepsNonAscii() throws IOException {
        String nasty = "a\"b\\c\nd\re\tf\u0000g\u001fh\u007fi/é漢😀\u2028end";
        AuditLineEncoder encoder = Records.encoder();
        encoder.append(withStrings(nasty));
        byte[] out = bytes(encoder.batch());

        assertThat(out[out.length - 1]).isEqualTo((byte) '\n');
        for (int i = 0; i < out.length - 1; i++) {
            assertThat(out[i] & 0xff).as("raw byte at %d", i).isGreaterThanOrEqualTo(0x20);
        }
        assertThat(decodeStrictUtf8(out)).contains("é漢😀");
        Map<String, Object> line = JsonLines.parse(out).get(0);
        assertThat(line).containsEntry("id", nasty).containsEntry("path", nasty).containsEntry("error", nasty);
    }

    @Test
    void loneSurrogatesStillMakeValidJson() throws IOException {
        for (String s : List.of("\uD800", "x\uD83Dy", "\uDE00x", "a\uDE00\uD83D")) {
            AuditLineEncoder encoder = Records.encoder();
            encoder.append(withStrings(s));
            byte[] out = bytes(encoder.batch());
            decodeStrictUtf8(out);
            assertThat(JsonLines.parse(out).get(0)).containsEntry("path", s);
        }
    }

    @Property(tries = 300)
    void anyStringRoundTripsAndStaysOnOneLine(@ForAll String s) throws IOException {
        AuditLineEncoder encoder = Records.encoder();
        encoder.append(withStrings(s));
        encoder.append(Records.withId("next"));
        byte[] out = bytes(encoder.batch());

        List<Map<String, Object>> lines = JsonLines.parse(out);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).containsEntry("reason", s);
        assertThat(lines.get(1)).containsEntry("id", "next");
    }

    @Test
    void resetReusesTheBufferFromTheStart() throws IOException {
        AuditLineEncoder encoder = Records.encoder();
        encoder.append(Records.withId("first"));
        encoder.reset();
        encoder.append(Records.withId("second"));

        assertThat(encoder.records()).isEqualTo(1);
        assertThat(JsonLines.parse(bytes(encoder.batch()))).extracting(l -> l.get("id")).containsExactly("second");
    }

    @Test
    void growsForRecordsLargerThanTheInitialBuffer() throws IOException {
        String big = "x".repeat(200_000);
        AuditLineEncoder encoder = Records.encoder();
        encoder.append(Records.withId("small"));
        encoder.append(withStrings(big));

        List<Map<String, Object>> lines = JsonLines.parse(bytes(encoder.batch()));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).containsEntry("path", big);
    }

    private static List<String> lines(AuditLineEncoder encoder) {
        String text = new String(bytes(encoder.batch()), StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        return List.of(text.substring(0, text.length() - 1).split("\n", -1));
    }

    private static AuditRecord withQuery(String id, String query) {
        AuditRecord r = Records.withId(id);
        return new AuditRecord(r.ts(), r.id(), r.listener(), r.client(), r.method(), r.scheme(), r.host(), r.port(),
                r.path(), r.decision(), r.rule(), r.reason(), r.status(), r.reqBytes(), r.respBytes(), r.reqSha256(),
                r.durationMs(), r.upstream(), r.policy(), r.error(), query == null ? "/api/task" : "/api/task?" + query);
    }

    @Test
    void everyLineEndsWithTheChainFieldsAndItsHashRecomputesWithAuditChain() throws IOException {
        AuditLineEncoder encoder = Records.encoder();
        List<String> lines = new ArrayList<>();
        for (int batch = 0; batch < 3; batch++) {
            encoder.append(Records.withId("r" + batch + "a"));
            encoder.append(withStrings("\",\"hash\":\"" + batch)); // a value that mimics the hash marker
            lines.addAll(lines(encoder));
            encoder.reset();
        }

        List<Map<String, Object>> parsed = AuditChains.assertChainFromGenesis(lines, "node-a");
        assertThat(parsed).extracting(l -> l.get("job")).containsOnly("job-7");
        assertThat(parsed).extracting(l -> l.get("node")).containsOnly("node-a");
        assertThat(encoder.position()).isEqualTo(new ChainPosition(6, (String) parsed.get(5).get("hash")));
    }

    @Test
    void theFirstHashOfAKnownLineMatchesAnIndependentSha256() throws IOException {
        AuditLineEncoder encoder = new AuditLineEncoder(new AuditIdentity(null, "n"), false,
                new ChainPosition(41, "ab".repeat(32)));
        encoder.append(new AuditRecord(0L, "i", "gateway", "c", "GET", "http", "h", 80, "/", "allow", null,
                "r", 200, 0, 0, null, 0, null, "p", null));

        String line = lines(encoder).get(0);
        String canonical = "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"id\":\"i\",\"listener\":\"gateway\",\"client\":\"c\","
                + "\"method\":\"GET\",\"scheme\":\"http\",\"host\":\"h\",\"port\":80,\"path\":\"/\",\"decision\":\"allow\","
                + "\"rule\":null,\"reason\":\"r\",\"status\":200,\"reqBytes\":0,\"respBytes\":0,\"reqSha256\":null,"
                + "\"durationMs\":0,\"upstream\":null,\"policy\":\"p\",\"error\":null,\"reqBytesSent\":0,\"task\":null,"
                + "\"content\":null,\"job\":null,\"node\":\"n\","
                + "\"seq\":42,\"prev\":\"" + "ab".repeat(32) + "\"}";
        // Expected value from `printf '%s' "$canonical" | sha256sum`, computed outside the code under test.
        assertThat(line).isEqualTo(canonical.substring(0, canonical.length() - 1)
                + ",\"hash\":\"24c36cab6d10cabd50bc509d10ebdcca676a0ce9c95ec9f92433ec837d1590dd\"}");
    }

    @Test
    void aClaimedTaskIsANestedObjectMarkedUnverifiedAndCoveredByTheHash() throws IOException {
        AuditLineEncoder encoder = new AuditLineEncoder(new AuditIdentity(null, "n"), false,
                new ChainPosition(41, "ab".repeat(32)));
        AuditRecord r = new AuditRecord(0L, "i", "gateway", "c", "GET", "http", "h", 80, "/", "allow",
                null, "r", 200, 0, 0, null, 0, null, "p", null, null, null,
                new TaskClaims("42", "reg.example/a\"b\n", "3", null, "1"));
        encoder.append(r);

        String line = lines(encoder).get(0);
        String canonical = "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"id\":\"i\",\"listener\":\"gateway\",\"client\":\"c\","
                + "\"method\":\"GET\",\"scheme\":\"http\",\"host\":\"h\",\"port\":80,\"path\":\"/\",\"decision\":\"allow\","
                + "\"rule\":null,\"reason\":\"r\",\"status\":200,\"reqBytes\":0,\"respBytes\":0,\"reqSha256\":null,"
                + "\"durationMs\":0,\"upstream\":null,\"policy\":\"p\",\"error\":null,\"reqBytesSent\":0,"
                + "\"task\":{\"id\":\"42\",\"image\":\"reg.example/a\\\"b\\n\",\"node\":\"3\",\"organization\":null,"
                + "\"collaboration\":\"1\",\"verified\":false},\"content\":null,"
                + "\"job\":null,\"node\":\"n\",\"seq\":42,\"prev\":\"" + "ab".repeat(32) + "\"}";
        // Expected value from `printf '%s' "$canonical" | sha256sum`, computed outside the code under test.
        assertThat(line).isEqualTo(canonical.substring(0, canonical.length() - 1)
                + ",\"hash\":\"c8aea3e515cbf5e67f572e0441c1b7ab25e1d53e4812763fe1b7e95405a75edb\"}");
        assertThat(AuditChains.assertChain(List.of(line), 42, "ab".repeat(32))).hasSize(1);
    }

    @Test
    void theQueryIsNeverWrittenAndOnlyHashedWhenAsked() throws IOException {
        AuditLineEncoder dropping = Records.encoder();
        dropping.append(withQuery("q", "token=SECRET-Q&x=1"));
        String dropped = lines(dropping).get(0);
        assertThat(dropped).doesNotContain("SECRET-Q").doesNotContain("querySha256");

        AuditLineEncoder hashing = new AuditLineEncoder(Records.IDENTITY, true, ChainPosition.start("node-a"));
        hashing.append(withQuery("q", "token=SECRET-Q&x=1"));
        hashing.append(withQuery("none", null));
        hashing.append(withQuery("empty", ""));
        hashing.append(withQuery("latin", "q=\u00e9")); // Netty hands over the byte 0xE9 as the char U+00E9
        List<String> lines = lines(hashing);
        List<Map<String, Object>> parsed = AuditChains.assertChainFromGenesis(lines, "node-a");

        assertThat(String.join("\n", lines)).doesNotContain("SECRET-Q");
        List<String> names = new ArrayList<>(parsed.get(0).keySet());
        assertThat(names.get(names.indexOf("job") - 1)).isEqualTo("querySha256");
        // Expected values from `printf '%s' 'token=SECRET-Q&x=1' | sha256sum`, of the empty string and of
        // `printf 'q=\xe9'`, computed outside the code under test.
        assertThat(parsed.get(0)).containsEntry("querySha256",
                "4c458a65736c2460eae9875eb49bfda0d9c24ca98c2bb4a5d7c7a2a417837f66");
        assertThat(parsed.get(1)).containsEntry("querySha256", null);
        assertThat(parsed.get(2)).containsEntry("querySha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(parsed.get(3)).containsEntry("querySha256",
                "3e41b22e312fcb326da6edc1f56b8a488f58ecbb3aef587ce49b708eb776e5ba");
    }

    @Test
    void aCheckpointSignsTheHashOfTheLineBeforeIt() throws Exception {
        KeyPair key = SigningKeys.generate();
        String keyId = AuditChain.keyId(key.getPublic());
        AuditLineEncoder encoder = Records.encoder();
        encoder.append(Records.withId("a"));
        encoder.appendCheckpoint(Instant.parse("2026-11-23T09:15:03.456Z").toEpochMilli(), keyId, key.getPrivate());
        encoder.append(Records.withId("b"));

        List<Map<String, Object>> parsed = AuditChains.assertChainFromGenesis(lines(encoder), "node-a");

        Map<String, Object> checkpoint = parsed.get(1);
        assertThat(new ArrayList<>(checkpoint.keySet())).containsExactly("type", "ts", "keyId", "sig", "job", "node",
                "seq", "prev", "hash");
        assertThat(checkpoint).containsEntry("type", "checkpoint").containsEntry("ts", "2026-11-23T09:15:03.456Z")
                .containsEntry("keyId", keyId).containsEntry("seq", 2L).containsEntry("prev", parsed.get(0).get("hash"));
        byte[] sig = Base64.getDecoder().decode((String) checkpoint.get("sig"));
        assertThat(AuditChain.verify(key.getPublic(), (String) checkpoint.get("prev"), sig)).isTrue();
        assertThat(AuditChain.verify(SigningKeys.generate().getPublic(), (String) checkpoint.get("prev"), sig))
                .isFalse();
        assertThat(encoder.records()).isEqualTo(2);
        assertThat(encoder.lines()).isEqualTo(3);
    }

    private static String decodeStrictUtf8(byte[] b) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b)).toString();
    }
}
