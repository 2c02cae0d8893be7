package org.sluice.proxy.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
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
 * Test oracle: the audit line encoder as it was before {@link AuditLineEncoder} wrote its JSON by hand, on
 * Jackson's UTF-8 generator, unchanged but for its name. The lines are hashed into the chain, so the hand-written
 * encoder must produce these bytes exactly (AuditLineEncoderEquivalenceProperties).
 *
 * <p>Encodes records and checkpoints as hash-chained JSON Lines into one reusable buffer: append lines, take the
 * batch, reset. Each line ends with the chain fields {@code job, node, seq, prev, hash} ({@link AuditChain}): the
 * object is written up to {@code prev} and its closing brace, those bytes are hashed, and the brace is replaced by
 * {@code ,"hash":"<hex>"}} and the newline. The chain position lives on across batches.
 * Not thread-safe; owned by the audit writer thread.
 */
final class JacksonLineEncoder {

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8) // emoji as 4 UTF-8 bytes, not an escaped surrogate pair
            .build();

    private static final SerializableString TS = new SerializedString("ts");
    private static final SerializableString ID = new SerializedString("id");
    private static final SerializableString LISTENER = new SerializedString("listener");
    private static final SerializableString CLIENT = new SerializedString("client");
    private static final SerializableString METHOD = new SerializedString("method");
    private static final SerializableString SCHEME = new SerializedString("scheme");
    private static final SerializableString HOST = new SerializedString("host");
    private static final SerializableString PORT = new SerializedString("port");
    private static final SerializableString PATH = new SerializedString("path");
    private static final SerializableString DECISION = new SerializedString("decision");
    private static final SerializableString RULE = new SerializedString("rule");
    private static final SerializableString REASON = new SerializedString("reason");
    private static final SerializableString STATUS = new SerializedString("status");
    private static final SerializableString REQ_BYTES = new SerializedString("reqBytes");
    private static final SerializableString REQ_BYTES_SENT = new SerializedString("reqBytesSent");
    private static final SerializableString RESP_BYTES = new SerializedString("respBytes");
    private static final SerializableString REQ_SHA256 = new SerializedString("reqSha256");
    private static final SerializableString DURATION_MS = new SerializedString("durationMs");
    private static final SerializableString UPSTREAM = new SerializedString("upstream");
    private static final SerializableString POLICY = new SerializedString("policy");
    private static final SerializableString ERROR = new SerializedString("error");
    private static final SerializableString QUERY_SHA256 = new SerializedString("querySha256");
    private static final SerializableString SNI = new SerializedString("sni");
    private static final SerializableString CLOSE_REASON = new SerializedString("closeReason");
    private static final SerializableString TASK = new SerializedString("task");
    private static final SerializableString TASK_IMAGE = new SerializedString("image");
    private static final SerializableString TASK_ORGANIZATION = new SerializedString("organization");
    private static final SerializableString TASK_COLLABORATION = new SerializedString("collaboration");
    private static final SerializableString TASK_VERIFIED = new SerializedString("verified");
    private static final SerializableString CONTENT = new SerializedString("content");
    private static final SerializableString CONTENT_CHECK = new SerializedString("check");
    private static final SerializableString CONTENT_ROWS = new SerializedString("rowsMatched");
    private static final SerializableString CONTENT_RARE = new SerializedString("rareValues");
    private static final SerializableString CONTENT_ENTROPY = new SerializedString("entropy");
    private static final SerializableString CONTENT_SCHEMA_ERRORS = new SerializedString("schemaErrors");
    private static final SerializableString CONTENT_LAYERS = new SerializedString("layers");
    private static final SerializableString CONTENT_OPAQUE = new SerializedString("opaque");
    private static final SerializableString JOB = new SerializedString("job");
    private static final SerializableString NODE = new SerializedString("node");
    private static final SerializableString SEQ = new SerializedString("seq");
    private static final SerializableString PREV = new SerializedString("prev");
    private static final SerializableString TYPE = new SerializedString("type");
    private static final SerializableString CHECKPOINT = new SerializedString("checkpoint");
    private static final SerializableString KEY_ID = new SerializedString("keyId");
    private static final SerializableString SIG = new SerializedString("sig");
    private static final byte[] HASH_FIELD = AuditChain.HASH_MARKER.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int SHA256_BYTES = 32;

    private final ReusableBytes bytes = new ReusableBytes(64 * 1024);
    private final UtcTimestamps timestamps = new UtcTimestamps();
    private final String job;
    private final String node;
    private final boolean hashQuery;
    private final MessageDigest sha256 = sha256();
    private final byte[] digest = new byte[SHA256_BYTES];
    private final char[] hex = new char[AuditChain.HASH_CHARS];
    private final byte[] scratch = new byte[256];
    /** The hash of the last line appended: the next line's prev. */
    private final char[] prev = new char[AuditChain.HASH_CHARS];
    /** The seq of the last line appended. */
    private long seq;
    private JsonGenerator json;
    private int records;
    private int lines;

    /**
     * An encoder that continues the chain at {@code start}.
     *
     * @param hashQuery true: request records carry {@code querySha256} (audit.query: hash)
     */
    JacksonLineEncoder(AuditIdentity identity, boolean hashQuery, ChainPosition start) {
        this.job = identity.job();
        this.node = identity.node();
        this.hashQuery = hashQuery;
        this.seq = start.seq();
        start.hash().getChars(0, AuditChain.HASH_CHARS, prev, 0);
        json = newGenerator();
    }

    /** Appends one request record as a line; on failure the buffer and the chain are left as they were. */
    void append(AuditRecord r) throws IOException {
        int mark = bytes.size();
        try {
            json.writeStartObject();
            json.writeFieldName(TS);
            json.writeString(timestamps.format(r.ts()), 0, UtcTimestamps.LENGTH);
            string(ID, r.id());
            string(LISTENER, r.listener());
            string(CLIENT, r.client());
            string(METHOD, r.method());
            string(SCHEME, r.scheme());
            string(HOST, r.host());
            if (r.host() == null) {
                json.writeFieldName(PORT);
                json.writeNull(); // a forward request whose target could not be read has no destination
            } else {
                number(PORT, r.port());
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
                json.writeFieldName(QUERY_SHA256);
                int query = r.target() == null ? -1 : r.target().indexOf('?');
                if (query < 0) {
                    json.writeNull();
                } else {
                    json.writeString(hashOf(r.target(), query + 1), 0, AuditChain.HASH_CHARS);
                }
            }
            endLine(mark);
            records++;
        } catch (IOException | RuntimeException e) {
            abandonLine(mark);
            throw e;
        }
    }

    /**
     * Appends a checkpoint: an Ed25519 signature by {@code key} of the hash of the line before it
     * ({@link AuditChain#sign}). On failure the buffer and the chain are left as they were.
     */
    void appendCheckpoint(long epochMillis, String keyId, PrivateKey key) throws IOException, GeneralSecurityException {
        byte[] sig = AuditChain.sign(key, new String(prev));
        int mark = bytes.size();
        try {
            json.writeStartObject();
            json.writeFieldName(TYPE);
            json.writeString(CHECKPOINT);
            json.writeFieldName(TS);
            json.writeString(timestamps.format(epochMillis), 0, UtcTimestamps.LENGTH);
            string(KEY_ID, keyId);
            string(SIG, Base64.getEncoder().encodeToString(sig));
            endLine(mark);
        } catch (IOException | RuntimeException e) {
            abandonLine(mark);
            throw e;
        }
    }

    /**
     * Writes the chain fields and the closing brace, hashes the line so far, and replaces the brace by the hash
     * field, the brace and the newline.
     */
    private void endLine(int mark) throws IOException {
        string(JOB, job);
        string(NODE, node);
        number(SEQ, seq + 1);
        json.writeFieldName(PREV);
        json.writeString(prev, 0, AuditChain.HASH_CHARS);
        json.writeEndObject();
        json.flush(); // everything is in `bytes` now, ending with the object's '}'
        int end = bytes.size();
        sha256.update(bytes.array(), mark, end - mark); // the canonical bytes: the line up to prev, then '}'
        finishDigest();
        bytes.truncate(end - 1);
        bytes.write(HASH_FIELD, 0, HASH_FIELD.length);
        for (int i = 0; i < SHA256_BYTES; i++) {
            bytes.write(HEX[(digest[i] >> 4) & 0xf]);
            bytes.write(HEX[digest[i] & 0xf]);
        }
        bytes.write('"');
        bytes.write('}');
        bytes.write('\n');
        for (int i = 0; i < SHA256_BYTES; i++) {
            prev[2 * i] = (char) HEX[(digest[i] >> 4) & 0xf];
            prev[2 * i + 1] = (char) HEX[digest[i] & 0xf];
        }
        seq++;
        lines++;
    }

    private void abandonLine(int mark) {
        // The generator's state is unknown after a failure: start a fresh one on the last whole line.
        json = newGenerator();
        sha256.reset();
        bytes.truncate(mark);
    }

    /**
     * Hex SHA-256 of text from {@code from} on, as the bytes received: Netty decodes the request line one byte per
     * char. (A char above 0xFF cannot come from the wire; such text is hashed as UTF-8.)
     */
    private char[] hashOf(String text, int from) {
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
        for (int i = 0; i < SHA256_BYTES; i++) {
            hex[2 * i] = (char) HEX[(digest[i] >> 4) & 0xf];
            hex[2 * i + 1] = (char) HEX[digest[i] & 0xf];
        }
        return hex;
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
        return new ChainPosition(seq, new String(prev));
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

    private JsonGenerator newGenerator() {
        try {
            JsonGenerator g = JSON.createGenerator(bytes);
            g.setRootValueSeparator(null); // lines end with our '\n', nothing else between root values
            return g;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a JSON generator on a memory buffer", e);
        }
    }

    /** The claimed task as a nested object, or null; verified is always false: Sluice cannot check the token. */
    private void task(TaskClaims task) throws IOException {
        json.writeFieldName(TASK);
        if (task == null) {
            json.writeNull();
            return;
        }
        json.writeStartObject();
        string(ID, task.id());
        string(TASK_IMAGE, task.image());
        string(NODE, task.node());
        string(TASK_ORGANIZATION, task.organization());
        string(TASK_COLLABORATION, task.collaboration());
        json.writeFieldName(TASK_VERIFIED);
        json.writeBoolean(false);
        json.writeEndObject();
    }

    /** What the content checks found, as a nested object of counts and check names, or null when none ran. */
    private void content(AuditRecord.Content content) throws IOException {
        json.writeFieldName(CONTENT);
        if (content == null) {
            json.writeNull();
            return;
        }
        json.writeStartObject();
        string(CONTENT_CHECK, content.check());
        number(CONTENT_ROWS, content.rowsMatched());
        number(CONTENT_RARE, content.rareValues());
        json.writeFieldName(CONTENT_ENTROPY);
        if (content.entropy() < 0 || Double.isNaN(content.entropy())) {
            json.writeNull(); // not measured
        } else {
            // Two decimals as a JSON number: 7.50, never 7.499999999999999.
            json.writeNumber(BigDecimal.valueOf(content.entropy()).setScale(2, RoundingMode.HALF_UP));
        }
        number(CONTENT_SCHEMA_ERRORS, content.schemaErrors());
        json.writeFieldName(CONTENT_LAYERS);
        json.writeStartArray();
        for (String layer : content.layers()) {
            json.writeString(layer);
        }
        json.writeEndArray();
        json.writeFieldName(CONTENT_OPAQUE);
        json.writeBoolean(content.opaque());
        json.writeEndObject();
    }

    private void string(SerializableString name, String value) throws IOException {
        json.writeFieldName(name);
        json.writeString(value);
    }

    private void number(SerializableString name, long value) throws IOException {
        json.writeFieldName(name);
        json.writeNumber(value);
    }

    /** A byte array output stream whose contents can be viewed without copying and reused. */
    private static final class ReusableBytes extends OutputStream {
        private byte[] buf;
        private int size;

        ReusableBytes(int initialCapacity) {
            buf = new byte[initialCapacity];
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        int size() {
            return size;
        }

        byte[] array() {
            return buf;
        }

        void truncate(int newSize) {
            size = newSize;
        }

        ByteBuffer view() {
            return ByteBuffer.wrap(buf, 0, size).asReadOnlyBuffer();
        }

        private void ensure(int more) {
            if (buf.length - size < more) {
                int needed = Math.addExact(size, more);
                buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
            }
        }
    }
}
