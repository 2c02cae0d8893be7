package org.sluice.proxy.audit.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sluice.proxy.audit.AuditChain;

/**
 * One audit line parsed: its top-level scalar fields (and those of its nested objects, as {@code "task.id"}) and,
 * when it has them in the chained format, its place in the hash chain. Request records have no {@code type};
 * checkpoints have {@code "type":"checkpoint"}.
 */
public final class AuditEntry {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // two values for one field: which one counts?
            .build();
    private static final byte[] MARKER = AuditChain.HASH_MARKER.getBytes(StandardCharsets.US_ASCII);
    /** {@code ,"hash":"} + 64 hex + {@code "}}. */
    private static final int HASH_TAIL_BYTES = MARKER.length + AuditChain.HASH_CHARS + 2;

    private final Map<String, Object> fields;
    private final byte[] bytes;
    private final int hashFieldStart;
    private final String hash;
    private final String chainProblem;

    private AuditEntry(Map<String, Object> fields, byte[] bytes) {
        this.fields = fields;
        this.bytes = bytes;
        this.hashFieldStart = AuditChain.hashFieldStart(bytes, 0, bytes.length);
        this.hash = hashTail(bytes, hashFieldStart);
        this.chainProblem = findChainProblem();
    }

    /**
     * The line's fields, or null when it is not exactly one JSON object (a torn write, or damage): the caller
     * decides which from where it is.
     */
    public static AuditEntry parse(RawLine line) {
        if (line.cut()) {
            return null;
        }
        Map<String, Object> fields = new LinkedHashMap<>(64); // about 25 fields: no rehashing
        try (JsonParser parser = JSON.createParser(line.bytes())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                fields.put(name, switch (value) {
                    case VALUE_STRING -> parser.getText();
                    case VALUE_NUMBER_INT -> parser.getNumberValue();
                    case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
                    case VALUE_TRUE -> Boolean.TRUE;
                    case VALUE_FALSE -> Boolean.FALSE;
                    case START_OBJECT -> {
                        readMembers(parser, name, fields);
                        yield Nested.VALUE;
                    }
                    case START_ARRAY -> {
                        parser.skipChildren();
                        yield Nested.VALUE;
                    }
                    default -> null;
                });
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null;
            }
        } catch (IOException notOneObject) {
            return null;
        }
        return new AuditEntry(Collections.unmodifiableMap(fields), line.bytes());
    }

    /**
     * Keeps the scalar members of a nested object (such as {@code task}) as {@code "object.member"}; deeper values
     * are skipped. The parser is at the object's start and is left at its end.
     */
    private static void readMembers(JsonParser parser, String object, Map<String, Object> fields)
            throws IOException {
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String member = object + "." + parser.currentName();
            JsonToken value = parser.nextToken();
            if (value.isScalarValue()) {
                fields.put(member, value == JsonToken.VALUE_NULL ? null
                        : value.isNumeric() ? parser.getNumberValue()
                        : value.isBoolean() ? parser.getBooleanValue() : parser.getText());
            } else {
                parser.skipChildren();
            }
        }
    }

    /** A nested object or array; of an object, its scalar members are kept as "object.member". */
    enum Nested {
        VALUE
    }

    public boolean isCheckpoint() {
        return "checkpoint".equals(fields.get("type"));
    }

    /** A request record: no {@code type} field (other types may be added later). */
    public boolean isRequest() {
        return !fields.containsKey("type");
    }

    /** The {@code type} field, "request" when there is none. */
    public String type() {
        Object type = fields.get("type");
        return type == null ? "request" : String.valueOf(type);
    }

    /** A field's value as text: null when absent or JSON null. */
    public String text(String name) {
        Object value = fields.get(name);
        return value == null || value == Nested.VALUE ? null : String.valueOf(value);
    }

    /** A whole-number field, or fallback when it is absent, null or not a whole number. */
    public long number(String name, long fallback) {
        return fields.get(name) instanceof Number n && !(n instanceof Double) ? n.longValue() : fallback;
    }

    public boolean has(String name) {
        return fields.containsKey(name);
    }

    /** Why this line cannot take part in the chain (missing or malformed chain fields), or null when it can. */
    public String chainProblem() {
        return chainProblem;
    }

    private String findChainProblem() {
        if (!(fields.get("seq") instanceof Number seq) || seq instanceof Double || seq.longValue() < 1) {
            return "no \"seq\" (a whole number from 1)";
        }
        if (!(fields.get("node") instanceof String)) {
            return "no \"node\"";
        }
        if (!isHex64(fields.get("prev"))) {
            return "no \"prev\" (64 hex digits)";
        }
        if (hash == null) {
            return "it does not end with \"hash\" (64 hex digits) right after \"prev\": bytes after the hash "
                    + "would not be covered by it";
        }
        if (!hash.equals(fields.get("hash"))) {
            return "its \"hash\" field is written in an unexpected way";
        }
        return null;
    }

    public long seq() {
        return ((Number) fields.get("seq")).longValue();
    }

    public String prev() {
        return (String) fields.get("prev");
    }

    /** The hash the line carries. */
    public String hash() {
        return hash;
    }

    public String node() {
        return (String) fields.get("node");
    }

    /** The job, null when absent or null. */
    public String job() {
        return text("job");
    }

    public String ts() {
        return text("ts");
    }

    /** Whether {@link #hash()} is the SHA-256 of the line's canonical bytes ({@link AuditChain}). */
    public boolean hashMatchesContent() {
        return hash != null && hash.equals(AuditChain.hash(bytes, 0, hashFieldStart));
    }

    /** The hash in {@code ,"hash":"<64 hex>"}} exactly at the end of the line, or null when it does not end so. */
    private static String hashTail(byte[] line, int start) {
        if (start < 0 || line.length != start + HASH_TAIL_BYTES
                || line[line.length - 2] != '"' || line[line.length - 1] != '}') {
            return null;
        }
        String hex = new String(line, start + MARKER.length, AuditChain.HASH_CHARS, StandardCharsets.US_ASCII);
        return isHex64(hex) ? hex : null;
    }

    private static boolean isHex64(Object value) {
        if (!(value instanceof String s) || s.length() != AuditChain.HASH_CHARS) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
