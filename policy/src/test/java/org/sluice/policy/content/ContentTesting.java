package org.sluice.policy.content;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.sluice.policy.config.ContentConfig;
import org.sluice.policy.config.Position;

/** What the content tests share: a config builder, a scanner double, encoders and the leak check on reasons. */
final class ContentTesting {

    /** Put in bodies, queries and headers; no reason may ever contain it. */
    static final String SECRET = "S3CRET-Marker-Do-Not-Leak";

    private ContentTesting() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Inspects and checks the one invariant every verdict keeps: its reason holds no 8-byte run of anything the
     * request carried (body, query, headers, Content-Type, Content-Encoding) and never {@link #SECRET}.
     */
    static ContentVerdict inspect(ContentCheck check, ContentInput input) {
        ContentVerdict verdict = check.inspect(input);
        assertNoLeak(verdict, input);
        return verdict;
    }

    static void assertNoLeak(ContentVerdict verdict, ContentInput input) {
        String reason = verdict.reason();
        if (reason == null) {
            assertThat(verdict.refusedBy()).isNull();
            return;
        }
        assertThat(reason).doesNotContain(SECRET);
        byte[] r = utf8(reason);
        List<byte[]> carried = new ArrayList<>();
        carried.add(input.body());
        if (input.query() != null) {
            carried.add(utf8(input.query()));
        }
        for (String h : input.headerValues()) {
            carried.add(utf8(h));
        }
        // a reason may name a type from Sluice's own table: the request only repeats it
        String essence = MediaTypes.essence(input.contentType());
        if (input.contentType() != null && !MediaTypes.nameable(essence).equals(essence)) {
            carried.add(utf8(input.contentType()));
        }
        for (byte[] c : carried) {
            assertThat(sharedRun(r, c, 8)).as("reason %s quotes the request", reason).isNull();
        }
    }

    /** A run of {@code n} bytes found in both, as text, or null. */
    static String sharedRun(byte[] a, byte[] b, int n) {
        if (a.length < n || b.length < n) {
            return null;
        }
        java.util.Set<String> runs = new java.util.HashSet<>();
        for (int i = 0; i + n <= a.length; i++) {
            runs.add(new String(a, i, n, StandardCharsets.ISO_8859_1));
        }
        for (int i = 0; i + n <= b.length; i++) {
            String s = new String(b, i, n, StandardCharsets.ISO_8859_1);
            if (runs.contains(s)) {
                return s;
            }
        }
        return null;
    }

    /** A {@code content:} with nothing set: every stage off. */
    static Builder content() {
        return new Builder();
    }

    static final class Builder {
        List<String> types;
        String schemaFile;
        Schema schema;
        ContentConfig.JsonLimits json;
        ContentConfig.ProtectedData protectedData;
        ContentConfig.Decode decode = ContentConfig.Decode.DEFAULTS;
        ContentConfig.Opaque opaque = ContentConfig.Opaque.ALLOW;
        double opaqueEntropy = ContentConfig.DEFAULT_OPAQUE_ENTROPY;

        Builder types(String... t) {
            types = List.of(t);
            return this;
        }

        Builder schema(String file, String schemaJson) {
            schemaFile = file;
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
            return this;
        }

        Builder json(int maxDepth, int maxArrayLength, int maxStringLength, int maxNumbers) {
            json = new ContentConfig.JsonLimits(maxDepth, maxArrayLength, maxStringLength, maxNumbers);
            return this;
        }

        Builder protectedData(int maxRows, int maxRareValues) {
            protectedData = new ContentConfig.ProtectedData("rows.sfp", null, 2, maxRows, maxRareValues,
                    CumulativeLimits.NONE);
            return this;
        }

        Builder decode(int maxLayers, int maxRatio, long maxBytes) {
            decode = new ContentConfig.Decode(maxLayers, maxRatio, maxBytes);
            return this;
        }

        Builder opaque(ContentConfig.Opaque o) {
            opaque = o;
            return this;
        }

        ContentConfig config() {
            return new ContentConfig(types, schemaFile, schema, json, protectedData, decode, opaque, opaqueEntropy,
                    null, new Position(java.nio.file.Path.of("policy.yaml"), 1, 1));
        }

        /** Compiled with {@code scanner} for protectedData (unused when it is not set). */
        ContentCheck compile(ProtectedDataScanner scanner) {
            return CompiledContentCheck.compile(config(), pd -> scanner);
        }

        ContentCheck compile() {
            return compile(new MarkerScanner());
        }
    }

    /**
     * The scanner double: a row is the token {@code ROW<digits>}, a rare value {@code RARE<digits>}, found as
     * bytes wherever they stand (each keyed by its digits, so the same row found twice counts once). It remembers
     * every piece it was given.
     */
    static final class MarkerScanner implements ProtectedDataScanner {
        final List<String> pieces = new ArrayList<>();
        final List<Syntax> syntaxes = new ArrayList<>();

        @Override
        public void scan(byte[] bytes, int offset, int length, Syntax syntax, ProtectedFindings findings) {
            String text = new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
            pieces.add(text);
            syntaxes.add(syntax);
            find(text, "ROW", findings, true);
            find(text, "RARE", findings, false);
        }

        private static void find(String text, String tag, ProtectedFindings findings, boolean row) {
            int at = text.indexOf(tag);
            while (at >= 0) {
                int end = at + tag.length();
                while (end < text.length() && Character.isDigit(text.charAt(end))) {
                    end++;
                }
                if (end > at + tag.length()) {
                    long key = Long.parseLong(text.substring(at + tag.length(), end));
                    if (row) {
                        findings.addRow(key);
                    } else {
                        findings.addRareValue(key);
                    }
                }
                at = text.indexOf(tag, end);
            }
        }
    }

    static byte[] gzip(byte[] data) {
        return encode(data, GZIPOutputStream::new);
    }

    static byte[] zlib(byte[] data) {
        return encode(data, DeflaterOutputStream::new);
    }

    static byte[] zstd(byte[] data) {
        return encode(data, ZstdOutputStream::new);
    }

    static String base64(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    static String base64urlNoPadding(byte[] data) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(data);
    }

    static String hex(byte[] data) {
        return HexFormat.of().formatHex(data);
    }

    interface Wrapper {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    static byte[] encode(byte[] data, Wrapper wrapper) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream out = wrapper.wrap(bytes)) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ContentInput body(byte[] body, String contentType) {
        return ContentInput.body(body, contentType);
    }

    static ContentInput encoded(byte[] body, String contentType, String contentEncoding) {
        return new ContentInput(body, contentType, contentEncoding, null, List.of());
    }
}
