package org.sluice.proxy.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The chain fields of one line read back from an audit file, as Sluice needs them to continue the chain at start.
 * A line is either a chained line whose hash recomputes, a torn fragment (the start of a line whose write was cut
 * off), or something else.
 *
 * @param seq        the line's seq
 * @param hash       its hash, checked against its bytes
 * @param node       its node
 * @param checkpoint true for a checkpoint line
 * @param tsMillis   its ts, or -1 when it has none that parses
 */
record ChainLine(long seq, String hash, String node, boolean checkpoint, long tsMillis) {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int TAIL = AuditChain.HASH_MARKER.length() + AuditChain.HASH_CHARS + 2;

    /** Why a line is not a chained line. */
    static final class NotChained extends Exception {
        private final boolean torn;

        NotChained(String reason, boolean torn) {
            super(reason, null, false, false);
            this.torn = torn;
        }

        /** True when the line is the start of a JSON object that ends too early: a write cut off by a crash. */
        boolean torn() {
            return torn;
        }
    }

    /** Reads line (without its newline) or says why it is not a chained line. */
    static ChainLine parse(byte[] line) throws NotChained {
        long seq = -1;
        String prev = null;
        String hash = null;
        String node = null;
        String type = null;
        String ts = null;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new NotChained("it is not a JSON object", false);
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "seq" -> seq = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    case "prev" -> prev = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "hash" -> hash = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "node" -> node = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "type" -> type = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "ts" -> ts = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new NotChained("there is more after its JSON object", false);
            }
        } catch (JsonEOFException e) {
            throw new NotChained("it ends in the middle of a JSON object", true);
        } catch (StreamReadException e) {
            // A cut in the middle of a multi-byte character reads as bad UTF-8 at the very end of the line.
            boolean atEnd = e.getLocation() != null && e.getLocation().getByteOffset() >= line.length - 3;
            throw new NotChained("it is not valid JSON (" + e.getOriginalMessage() + ")", atEnd && line.length > 0
                    && line[0] == '{' && line[line.length - 1] != '}');
        } catch (IOException e) {
            throw new NotChained("it cannot be read as JSON (" + e.getMessage() + ")", false);
        }
        if (seq < 1 || !isHash(prev) || !isHash(hash) || node == null) {
            throw new NotChained("it has no chain fields (seq, node, prev and hash), as lines written before Sluice "
                    + "chained its audit log", false);
        }
        int start = AuditChain.hashFieldStart(line, 0, line.length);
        if (start < 0 || line.length - start != TAIL) {
            throw new NotChained("its hash is not its last field", false);
        }
        if (!AuditChain.hash(line, 0, start).equals(hash)) {
            throw new NotChained("its hash does not match its content (the line was changed after it was written)",
                    false);
        }
        return new ChainLine(seq, hash, node, "checkpoint".equals(type), tsMillis(ts));
    }

    private static boolean isHash(String value) {
        return value != null && value.length() == AuditChain.HASH_CHARS
                && value.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static long tsMillis(String ts) {
        if (ts == null) {
            return -1;
        }
        try {
            return Instant.parse(ts).toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /** The line for messages: at most 120 characters. */
    static String shown(byte[] line) {
        String text = new String(line, 0, Math.min(line.length, 120), StandardCharsets.UTF_8);
        return line.length > 120 ? text + "..." : text;
    }
}
