package org.sluice.proxy.audit.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.sluice.proxy.audit.AuditChain;

/**
 * Test helper: writes audit lines in the chained format (docs/audit-log.md) with {@link AuditChain}, so reader
 * tests do not depend on the writer; and the edits an attacker or a crash would make to them.
 */
public final class ChainedLog {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();
    private static final int TAIL = AuditChain.HASH_MARKER.length() + AuditChain.HASH_CHARS + 2;

    private final String node;
    private final KeyPair key;
    private final List<String> lines = new ArrayList<>();
    private long seq;
    private String prev;

    private ChainedLog(String node, KeyPair key, long lastSeq, String lastHash) {
        this.node = node;
        this.key = key;
        this.seq = lastSeq;
        this.prev = lastHash;
    }

    /** A node's log from its very first record; key signs checkpoints (may be null when there are none). */
    public static ChainedLog genesis(String node, KeyPair key) {
        return new ChainedLog(node, key, 0, AuditChain.genesis(node));
    }

    /** Appends a request record and returns its line (without newline). */
    public String request(Req r) {
        return append(json -> {
            string(json, "ts", r.ts);
            string(json, "id", r.id);
            string(json, "listener", r.listener);
            string(json, "client", r.client);
            string(json, "method", r.method);
            string(json, "scheme", r.scheme);
            string(json, "host", r.host);
            json.writeNumberField("port", r.port);
            string(json, "path", r.path);
            string(json, "decision", r.decision);
            string(json, "rule", r.rule);
            string(json, "reason", r.reason);
            json.writeNumberField("status", r.status);
            json.writeNumberField("reqBytes", r.reqBytes);
            json.writeNumberField("respBytes", r.respBytes);
            string(json, "reqSha256", r.reqSha256);
            json.writeNumberField("durationMs", r.durationMs);
            string(json, "upstream", r.upstream);
            string(json, "policy", r.policy);
            string(json, "error", r.error);
            json.writeFieldName("task");
            if (r.task == null) {
                json.writeNull();
            } else {
                json.writeStartObject();
                string(json, "id", r.task);
                string(json, "image", "harbor.example.org/algorithms/average");
                string(json, "node", "3");
                string(json, "organization", "2");
                string(json, "collaboration", "1");
                json.writeBooleanField("verified", false);
                json.writeEndObject();
            }
            if (r.content) {
                json.writeFieldName("content");
                json.writeStartObject();
                string(json, "check", r.contentCheck);
                json.writeNumberField("rowsMatched", r.rowsMatched);
                json.writeNumberField("rareValues", 0);
                json.writeFieldName("entropy");
                json.writeNumber(new java.math.BigDecimal("4.71"));
                json.writeNumberField("schemaErrors", 0);
                json.writeFieldName("layers");
                json.writeStartArray();
                json.writeString("gzip");
                json.writeString("base64");
                json.writeEndArray();
                json.writeBooleanField("opaque", false);
                json.writeEndObject();
            }
            if (r.querySha256 != null) {
                string(json, "querySha256", r.querySha256);
            }
            string(json, "job", r.job);
        });
    }

    /** Appends a checkpoint that signs the hash of the line before it, and returns its line. */
    public String checkpoint(String ts, String job) {
        String sig;
        try {
            sig = Base64.getEncoder().encodeToString(AuditChain.sign(key.getPrivate(), prev));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return append(json -> {
            string(json, "type", "checkpoint");
            string(json, "ts", ts);
            string(json, "keyId", AuditChain.keyId(key.getPublic()));
            string(json, "sig", sig);
            string(json, "job", job);
        });
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines from index from (0-based) to to (exclusive). */
    public List<String> lines(int from, int to) {
        return List.copyOf(lines.subList(from, to));
    }

    public String node() {
        return node;
    }

    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private String append(Fields fields) {
        seq++;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            fields.write(json);
            string(json, "node", node);
            json.writeNumberField("seq", seq);
            string(json, "prev", prev);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String canonical = bytes.toString(StandardCharsets.UTF_8);
        String line = sealed(canonical);
        prev = hashOf(line);
        lines.add(line);
        return line;
    }

    private static void string(JsonGenerator json, String name, String value) throws IOException {
        json.writeFieldName(name);
        json.writeString(value);
    }

    /** The line for canonical bytes that end with the '}' after prev: the hash field goes before that '}'. */
    private static String sealed(String canonical) {
        byte[] utf8 = canonical.getBytes(StandardCharsets.UTF_8);
        String hash = AuditChain.hash(utf8, 0, utf8.length - 1);
        return canonical.substring(0, canonical.length() - 1) + AuditChain.HASH_MARKER + hash + "\"}";
    }

    /** The hash a line carries. */
    public static String hashOf(String line) {
        return line.substring(line.length() - 2 - AuditChain.HASH_CHARS, line.length() - 2);
    }

    /** An edited line with its hash recomputed, as an attacker who knows the format would leave it. */
    public static String rehash(String line) {
        return sealed(line.substring(0, line.length() - TAIL) + "}");
    }

    /** line with its prev replaced and its hash recomputed. */
    public static String withPrev(String line, String prev) {
        String body = line.substring(0, line.length() - TAIL);
        int at = body.lastIndexOf(",\"prev\":\"");
        return sealed(body.substring(0, at) + ",\"prev\":\"" + prev + "\"}");
    }

    /**
     * Re-chains lines from index from on after an edit: each gets the prev of the line before and a new hash,
     * as an attacker rewriting history would (only a checkpoint signature can tell).
     */
    public static List<String> relink(List<String> lines, int from) {
        List<String> out = new ArrayList<>(lines);
        for (int i = from; i < out.size(); i++) {
            out.set(i, withPrev(out.get(i), hashOf(out.get(i - 1))));
        }
        return out;
    }

    /** Writes lines, each ending in a newline. */
    public static Path write(Path file, List<String> lines) throws IOException {
        return Files.write(file, bytes(lines));
    }

    /** Writes lines gzip-compressed, as the writer leaves rotated files. */
    public static Path writeGz(Path file, List<String> lines) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes(lines));
        }
        return file;
    }

    private static byte[] bytes(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The name the writer gives a rotated file: audit-yyyyMMdd'T'HHmmss'Z'-firstSeq.jsonl. */
    public static String rotatedName(String stamp, long firstSeq) {
        return "audit-" + stamp + "-" + firstSeq + ".jsonl";
    }

    public static KeyPair newKey() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** key as an X.509 SubjectPublicKeyInfo PEM file, as the node publishes it. */
    public static Path writePublicKey(Path file, PublicKey key) throws IOException {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        return Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n",
                StandardCharsets.US_ASCII);
    }
}
