package org.sluice.proxy.audit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;
import org.sluice.proxy.task.TaskClaims;

/**
 * Encodes records and checkpoints as hash-chained JSON Lines into one reusable buffer: append lines, take the
 * batch, reset. Each line ends with the chain fields {@code job, node, seq, prev, hash} ({@link AuditChain}): the
 * object is written up to {@code prev} and its closing brace, those bytes are hashed, and the brace is replaced by
 * {@code ,"hash":"<hex>"}} and the newline. The chain position lives on across batches.
 *
 * <p>The JSON is written straight into the buffer ({@link JsonBytes}): field names and the constant chain fields
 * ({@code job}, {@code node}) are encoded once, values as they come, with no object per record.
 * Not thread-safe; owned by the audit writer thread.
 */
final class AuditLineEncoder {

    private static final byte[] TS = JsonBytes.ascii("{\"ts\":");
    private static final byte[] ID = name("id");
    private static final byte[] LISTENER = name("listener");
    private static final byte[] CLIENT = name("client");
    private static final byte[] METHOD = name("method");
    private static final byte[] SCHEME = name("scheme");
    private static final byte[] HOST = name("host");
    private static final byte[] PORT = name("port");
    private static final byte[] PATH = name("path");
    private static final byte[] DECISION = name("decision");
    private static final byte[] RULE = name("rule");
    private static final byte[] REASON = name("reason");
    private static final byte[] STATUS = name("status");
    private static final byte[] REQ_BYTES = name("reqBytes");
    private static final byte[] RESP_BYTES = name("respBytes");
    private static final byte[] REQ_SHA256 = name("reqSha256");
    private static final byte[] DURATION_MS = name("durationMs");
    private static final byte[] UPSTREAM = name("upstream");
    private static final byte[] POLICY = name("policy");
    private static final byte[] ERROR = name("error");
    private static final byte[] SNI = name("sni");
    private static final byte[] CLOSE_REASON = name("closeReason");
    private static final byte[] REQ_BYTES_SENT = name("reqBytesSent");
    private static final byte[] TASK = name("task");
    private static final byte[] TASK_ID = JsonBytes.ascii("{\"id\":");
    private static final byte[] TASK_IMAGE = name("image");
    private static final byte[] TASK_NODE = name("node");
    private static final byte[] TASK_ORGANIZATION = name("organization");
    private static final byte[] TASK_COLLABORATION = name("collaboration");
    private static final byte[] TASK_UNVERIFIED = JsonBytes.ascii(",\"verified\":false}");
    private static final byte[] CONTENT = name("content");
    private static final byte[] CONTENT_CHECK = JsonBytes.ascii("{\"check\":");
    private static final byte[] CONTENT_ROWS = name("rowsMatched");
    private static final byte[] CONTENT_RARE = name("rareValues");
    private static final byte[] CONTENT_ENTROPY = name("entropy");
    private static final byte[] CONTENT_SCHEMA_ERRORS = name("schemaErrors");
    private static final byte[] CONTENT_LAYERS = name("layers");
    private static final byte[] CONTENT_OPAQUE = name("opaque");
    private static final byte[] QUERY_SHA256 = name("querySha256");
    private static final byte[] SEQ = name("seq");
    private static final byte[] PREV = name("prev");
    private static final byte[] CHECKPOINT_TS = JsonBytes.ascii("{\"type\":\"checkpoint\",\"ts\":");
    private static final byte[] KEY_ID = name("keyId");
    private static final byte[] SIG = name("sig");
    private static final byte[] HASH_FIELD = AuditChain.HASH_MARKER.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int SHA256_BYTES = 32;

    private final JsonBytes bytes = new JsonBytes(64 * 1024);
    private final UtcTimestamps timestamps = new UtcTimestamps();
    /** {@code ,"job":...,"node":...} as encoded once: the same on every line. */
    private final byte[] jobAndNode;
    private final boolean hashQuery;
    private final MessageDigest sha256 = sha256();
    private final byte[] digest = new byte[SHA256_BYTES];
    private final byte[] hex = new byte[AuditChain.HASH_CHARS];
    private final byte[] scratch = new byte[256];
    /** The hash of the last line appended: the next line's prev. */
    private final byte[] prev = new byte[AuditChain.HASH_CHARS];
    /** The seq of the last line appended. */
    private long seq;
    private int records;
    private int lines;

    /**
     * An encoder that continues the chain at {@code start}.
     *
     * @param hashQuery true: request records carry {@code querySha256} (audit.query: hash)
     */
    AuditLineEncoder(AuditIdentity identity, boolean hashQuery, ChainPosition start) {
        JsonBytes chainFields = new JsonBytes(64);
        chainFields.raw(name("job"));
        chainFields.string(identity.job());
        chainFields.raw(name("node"));
        chainFields.string(identity.node());
        this.jobAndNode = Arrays.copyOf(chainFields.array(), chainFields.size());
        this.hashQuery = hashQuery;
        this.seq = start.seq();
        byte[] startHash = start.hash().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(startHash, 0, prev, 0, AuditChain.HASH_CHARS);
    }

    /** Appends one request record as a line; on failure the buffer and the chain are left as they were. */
    void append(AuditRecord r) {
        int mark = bytes.size();
        try {
            bytes.raw(TS);
            bytes.asciiString(timestamps.format(r.ts()), UtcTimestamps.LENGTH);
            string(ID, r.id());
            string(LISTENER, r.listener());
            string(CLIENT, r.client());
            string(METHOD, r.method());
            string(SCHEME, r.scheme());
            string(HOST, r.host());
            bytes.raw(PORT);
            if (r.host() == null) {
                bytes.nullValue(); // a forward request whose target could not be read has no destination
            } else {
                bytes.number(r.port());
            }
            string(PATH, r.path());
            string(DECISION, r.decision());
            string(RULE, r.rule());
            string(REASON, r.reason());
            number(STATUS, r.status());
            number(REQ_BYTES, r.reqBytes());
            number(RESP_BYTES, r.respBytes());
            string(REQ_SHA256, r.reqSha256());
            number(DURATION_MS, r.durationMs());
            string(UPSTREAM, r.upstream());
            string(POLICY, r.policy());
            string(ERROR, r.error());
            if (r.tunnel() != null) {
                string(SNI, r.tunnel().sni());
                string(CLOSE_REASON, r.tunnel().closeReason());
            }
            number(REQ_BYTES_SENT, r.reqBytesSent());
            task(r.task());
            content(r.content());
            if (hashQuery) {
                bytes.raw(QUERY_SHA256);
                int query = r.target() == null ? -1 : r.target().indexOf('?');
                if (query < 0) {
                    bytes.nullValue();
                } else {
                    bytes.asciiString(hashOf(r.target(), query + 1));
                }
            }
            endLine(mark);
            records++;
        } catch (RuntimeException e) {
            abandonLine(mark);
            throw e;
        }
    }

    /**
     * Appends a checkpoint: an Ed25519 signature by {@code key} of the hash of the line before it
     * ({@link AuditChain#sign}). On failure the buffer and the chain are left as they were.
     */
    void appendCheckpoint(long epochMillis, String keyId, PrivateKey key) throws GeneralSecurityException {
        byte[] sig = AuditChain.sign(key, new String(prev, StandardCharsets.US_ASCII));
        int mark = bytes.size();
        try {
            bytes.raw(CHECKPOINT_TS);
            bytes.asciiString(timestamps.format(epochMillis), UtcTimestamps.LENGTH);
            string(KEY_ID, keyId);
            string(SIG, Base64.getEncoder().encodeToString(sig));
            endLine(mark);
        } catch (RuntimeException e) {
            abandonLine(mark);
            throw e;
        }
    }

    /**
     * Writes the chain fields and the closing brace, hashes the line so far, and replaces the brace by the hash
     * field, the brace and the newline.
     */
    private void endLine(int mark) {
        bytes.raw(jobAndNode);
        number(SEQ, seq + 1);
        bytes.raw(PREV);
        bytes.asciiString(prev);
        bytes.raw('}');
        int end = bytes.size();
        sha256.update(bytes.array(), mark, end - mark); // the canonical bytes: the line up to prev, then '}'
        finishDigest();
        bytes.truncate(end - 1);
        bytes.raw(HASH_FIELD);
        toHex(digest, prev);
        bytes.raw(prev);
        bytes.raw('"');
        bytes.raw('}');
        bytes.raw('\n');
        seq++;
        lines++;
    }

    private void abandonLine(int mark) {
        sha256.reset();
        bytes.truncate(mark);
    }

    /**
     * Hex SHA-256 of text from {@code from} on, as the bytes received: Netty decodes the request line one byte per
     * char. (A char above 0xFF cannot come from the wire; such text is hashed as UTF-8.)
     */
    private byte[] hashOf(String text, int from) {
        boolean bytes = true;
        for (int i = from; i < text.length() && bytes; i++) {
            bytes = text.charAt(i) <= 0xff;
        }
        if (bytes) {
            for (int at = from; at < text.length(); at += scratch.length) {
                int n = Math.min(scratch.length, text.length() - at);
                for (int i = 0; i < n; i++) {
                    scratch[i] = (byte) text.charAt(at + i);
                }
                sha256.update(scratch, 0, n);
            }
        } else {
            sha256.update(text.substring(from).getBytes(StandardCharsets.UTF_8));
        }
        finishDigest();
        toHex(digest, hex);
        return hex;
    }

    private static void toHex(byte[] from, byte[] to) {
        for (int i = 0; i < SHA256_BYTES; i++) {
            to[2 * i] = HEX[(from[i] >> 4) & 0xf];
            to[2 * i + 1] = HEX[from[i] & 0xf];
        }
    }

    private void finishDigest() {
        try {
            sha256.digest(digest, 0, SHA256_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException("a 32-byte buffer holds a SHA-256", e);
        }
    }

    /** Request records appended since the last reset (checkpoints are not counted). */
    int records() {
        return records;
    }

    /** Lines (records and checkpoints) appended since the last reset. */
    int lines() {
        return lines;
    }

    /** Bytes appended since the last reset. */
    int size() {
        return bytes.size();
    }

    /** Where the chain stands after the last line appended. */
    ChainPosition position() {
        return new ChainPosition(seq, new String(prev, StandardCharsets.US_ASCII));
    }

    /** The seq of the last line appended. */
    long seq() {
        return seq;
    }

    /** The encoded lines as a read-only view; valid until the next append or reset. */
    ByteBuffer batch() {
        return bytes.view();
    }

    /** Empties the buffer; the chain goes on from the last line appended. */
    void reset() {
        bytes.truncate(0);
        records = 0;
        lines = 0;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The claimed task as a nested object, or null; verified is always false: Sluice cannot check the token. */
    private void task(TaskClaims task) {
        bytes.raw(TASK);
        if (task == null) {
            bytes.nullValue();
            return;
        }
        bytes.raw(TASK_ID);
        bytes.string(task.id());
        string(TASK_IMAGE, task.image());
        string(TASK_NODE, task.node());
        string(TASK_ORGANIZATION, task.organization());
        string(TASK_COLLABORATION, task.collaboration());
        bytes.raw(TASK_UNVERIFIED);
    }

    /** What the content checks found, as a nested object of counts and check names, or null when none ran. */
    private void content(AuditRecord.Content content) {
        bytes.raw(CONTENT);
        if (content == null) {
            bytes.nullValue();
            return;
        }
        bytes.raw(CONTENT_CHECK);
        bytes.string(content.check());
        number(CONTENT_ROWS, content.rowsMatched());
        number(CONTENT_RARE, content.rareValues());
        bytes.raw(CONTENT_ENTROPY);
        if (content.entropy() < 0 || Double.isNaN(content.entropy())) {
            bytes.nullValue(); // not measured
        } else {
            // Two decimals as a JSON number: 7.50, never 7.499999999999999.
            bytes.raw(JsonBytes.ascii(BigDecimal.valueOf(content.entropy()).setScale(2, RoundingMode.HALF_UP)
                    .toString()));
        }
        number(CONTENT_SCHEMA_ERRORS, content.schemaErrors());
        bytes.raw(CONTENT_LAYERS);
        bytes.raw('[');
        boolean first = true;
        for (String layer : content.layers()) {
            if (!first) {
                bytes.raw(',');
            }
            bytes.string(layer);
            first = false;
        }
        bytes.raw(']');
        bytes.raw(CONTENT_OPAQUE);
        bytes.bool(content.opaque());
        bytes.raw('}');
    }

    private void string(byte[] name, String value) {
        bytes.raw(name);
        bytes.string(value);
    }

    private void number(byte[] name, long value) {
        bytes.raw(name);
        bytes.number(value);
    }

    /** {@code ,"name":} */
    private static byte[] name(String name) {
        return JsonBytes.ascii(",\"" + name + "\":");
    }
}
