package org.sluice.proxy.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Encodes records as JSON Lines into one reusable buffer: append records, take the batch, reset.
 * Not thread-safe; owned by the audit writer thread.
 */
final class AuditLineEncoder {

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
    private static final SerializableString RESP_BYTES = new SerializedString("respBytes");
    private static final SerializableString REQ_SHA256 = new SerializedString("reqSha256");
    private static final SerializableString DURATION_MS = new SerializedString("durationMs");
    private static final SerializableString UPSTREAM = new SerializedString("upstream");
    private static final SerializableString POLICY = new SerializedString("policy");
    private static final SerializableString ERROR = new SerializedString("error");

    private final ReusableBytes bytes = new ReusableBytes(64 * 1024);
    private final UtcTimestamps timestamps = new UtcTimestamps();
    private JsonGenerator json;
    private int records;

    AuditLineEncoder() {
        json = newGenerator();
    }

    /** Appends one line; on failure the buffer is left as it was before the call. */
    void append(AuditRecord r) throws IOException {
        int mark = bytes.size();
        try {
            json.writeStartObject();
            json.writeFieldName(TS);
            if (r.ts() == null) {
                json.writeNull();
            } else {
                json.writeString(timestamps.format(r.ts().toEpochMilli()), 0, UtcTimestamps.LENGTH);
            }
            string(ID, r.id());
            string(LISTENER, r.listener());
            string(CLIENT, r.client());
            string(METHOD, r.method());
            string(SCHEME, r.scheme());
            string(HOST, r.host());
            number(PORT, r.port());
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
            json.writeEndObject();
            json.writeRaw('\n');
            json.flush();
            records++;
        } catch (IOException | RuntimeException e) {
            // The generator's state is unknown after a failure: start a fresh one on the last whole line.
            json = newGenerator();
            bytes.truncate(mark);
            throw e;
        }
    }

    /** Records appended since the last reset. */
    int records() {
        return records;
    }

    /** The encoded lines as a read-only view; valid until the next append or reset. */
    ByteBuffer batch() {
        return bytes.view();
    }

    void reset() {
        bytes.truncate(0);
        records = 0;
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
