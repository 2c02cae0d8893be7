package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class AuditLineEncoderTest {

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static AuditRecord withStrings(String s) {
        return new AuditRecord(Instant.EPOCH, s, s, s, s, s, s, 1, s, s, s, s, 2, 3, 4, s, 5, s, s, s);
    }

    @Test
    void writesEveryContractFieldInRecordOrder() throws IOException {
        AuditLineEncoder encoder = new AuditLineEncoder();
        encoder.append(Records.withId("r-1"));

        Map<String, Object> line = JsonLines.parse(bytes(encoder.batch())).get(0);

        assertThat(new ArrayList<>(line.keySet())).containsExactlyElementsOf(JsonLines.CONTRACT_FIELDS);
        assertThat(line).containsEntry("ts", "2026-11-23T09:15:02.123Z")
                .containsEntry("id", "r-1")
                .containsEntry("port", 443L)
                .containsEntry("status", 200L)
                .containsEntry("reqBytes", 12L)
                .containsEntry("respBytes", 34L)
                .containsEntry("durationMs", 7L)
                .containsEntry("error", null);
    }

    @Test
    void nullFieldsAreWrittenAsNull() throws IOException {
        AuditLineEncoder encoder = new AuditLineEncoder();
        encoder.append(new AuditRecord(null, null, null, null, null, null, null, 0, null, null, null, null, 0, 0,
                0, null, 0, null, null, null));

        Map<String, Object> line = JsonLines.parse(bytes(encoder.batch())).get(0);

        assertThat(new ArrayList<>(line.keySet())).containsExactlyElementsOf(JsonLines.CONTRACT_FIELDS);
        assertThat(line.get("ts")).isNull();
        assertThat(line.get("path")).isNull();
    }

    @Test
    void timestampHasExactlyMillisecondsInUtcAndTruncates() throws IOException {
        AuditLineEncoder encoder = new AuditLineEncoder();
        encoder.append(withTs(Instant.parse("2026-01-02T03:04:05Z")));
        encoder.append(withTs(Instant.parse("2026-11-23T09:15:02.123999999Z")));
        encoder.append(withTs(Instant.parse("1999-12-31T23:59:59.001Z")));

        List<Map<String, Object>> lines = JsonLines.parse(bytes(encoder.batch()));

        assertThat(lines).extracting(l -> l.get("ts"))
                .containsExactly("2026-01-02T03:04:05.000Z", "2026-11-23T09:15:02.123Z", "1999-12-31T23:59:59.001Z");
    }

    private static AuditRecord withTs(Instant ts) {
        AuditRecord r = Records.withId("t");
        return new AuditRecord(ts, r.id(), r.listener(), r.client(), r.method(), r.scheme(), r.host(), r.port(),
                r.path(), r.decision(), r.rule(), r.reason(), r.status(), r.reqBytes(), r.respBytes(), r.reqSha256(),
                r.durationMs(), r.upstream(), r.policy(), r.error());
    }

    @Test
    void escapesQuotesBackslashesControlCharsAndKeepsNonAscii() throws IOException {
        String nasty = "a\"b\\c\nd\re\tf\u0000g\u001fh\u007fi/é漢😀\u2028end";
        AuditLineEncoder encoder = new AuditLineEncoder();
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
            AuditLineEncoder encoder = new AuditLineEncoder();
            encoder.append(withStrings(s));
            byte[] out = bytes(encoder.batch());
            decodeStrictUtf8(out);
            assertThat(JsonLines.parse(out).get(0)).containsEntry("path", s);
        }
    }

    @Property(tries = 300)
    void anyStringRoundTripsAndStaysOnOneLine(@ForAll String s) throws IOException {
        AuditLineEncoder encoder = new AuditLineEncoder();
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
        AuditLineEncoder encoder = new AuditLineEncoder();
        encoder.append(Records.withId("first"));
        encoder.reset();
        encoder.append(Records.withId("second"));

        assertThat(encoder.records()).isEqualTo(1);
        assertThat(JsonLines.parse(bytes(encoder.batch()))).extracting(l -> l.get("id")).containsExactly("second");
    }

    @Test
    void growsForRecordsLargerThanTheInitialBuffer() throws IOException {
        String big = "x".repeat(200_000);
        AuditLineEncoder encoder = new AuditLineEncoder();
        encoder.append(Records.withId("small"));
        encoder.append(withStrings(big));

        List<Map<String, Object>> lines = JsonLines.parse(bytes(encoder.batch()));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).containsEntry("path", big);
    }

    private static String decodeStrictUtf8(byte[] b) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b)).toString();
    }
}
