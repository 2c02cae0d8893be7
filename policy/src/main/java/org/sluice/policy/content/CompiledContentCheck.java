package org.sluice.policy.content;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.sluice.policy.Mode;
import org.sluice.policy.config.ContentConfig;

/**
 * A rule's {@code content:} checks, compiled: everything that can be decided when the policy loads is decided here,
 * so that {@link #inspect} only reads the request. The stages run in a fixed order and the first refusal decides;
 * the verdict still carries what was measured up to it:
 * <ol>
 *   <li>{@code decode}: the Content-Encoding codings (gzip, deflate, zstd, identity; outermost last), bounded by
 *       {@code decode.maxLayers}, {@code maxRatio} and {@code maxBytes}; any other coding is refused;</li>
 *   <li>{@code types}: the declared type is listed, and the bytes are what it says (JSON parses, text is UTF-8,
 *       a form is form-encoded, a PNG starts like one; text or JSON that is really gzip, zip, a PDF... is refused);</li>
 *   <li>{@code json}: depth, array length, string length, count of numbers, in one streaming pass;</li>
 *   <li>{@code jsonSchema}: the body satisfies the rule's schema;</li>
 *   <li>{@code protectedData}: the scanner reads the body, every embedded encoded span decoded
 *       ({@link ContentWalk}), the query string and the forwarded header values;</li>
 *   <li>{@code opaque}: the body (or an embedded binary span) stays high-entropy after decoding.</li>
 * </ol>
 *
 * <p>{@link ContentVerdict#layers()} lists the Content-Encoding codings taken off, outermost first, one entry each
 * ({@code "zstd", "gzip"}), then every chain of embedded layers found, one entry per chain with its layers joined by
 * '>' outermost first ({@code "base64>gzip"}, {@code "percent"}, {@code "hex"}); a body that is itself a compressed
 * stream without a Content-Encoding is named by its compression ({@code "gzip"}).
 *
 * <p>A reason names the check, the count and the limit, never a value of the request: not a matched value, not a
 * JSON key, not a Content-Type or Content-Encoding the request invented (only names from Sluice's own tables).
 */
public final class CompiledContentCheck implements ContentCheck {

    private final MediaTypes.Allowed types;
    private final ContentConfig.JsonLimits json;
    private final Schema schema;
    private final String schemaName;
    private final ContentConfig.ProtectedData protectedData;
    private final ProtectedDataScanner scanner;
    private final ContentConfig.Decode decode;
    private final ContentConfig.Opaque opaque;
    private final double opaqueEntropy;
    private final CumulativeLimits cumulative;
    private final Mode mode;

    private CompiledContentCheck(ContentConfig config, ProtectedDataScanner scanner) {
        this.types = config.types() == null ? null : new MediaTypes.Allowed(config.types());
        this.json = config.json();
        this.schema = config.jsonSchema();
        this.schemaName = config.jsonSchemaFile() == null ? "of the rule" : config.jsonSchemaFile();
        this.protectedData = config.protectedData();
        this.scanner = scanner;
        this.decode = config.decode() == null ? ContentConfig.Decode.DEFAULTS : config.decode();
        // no opaque: key read means nothing is measured; the config reader states its own default
        this.opaque = config.opaque() == null ? ContentConfig.Opaque.ALLOW : config.opaque();
        this.opaqueEntropy = config.opaqueEntropy() > 0 && config.opaqueEntropy() <= 8
                ? config.opaqueEntropy() : ContentConfig.DEFAULT_OPAQUE_ENTROPY;
        this.cumulative = protectedData == null || protectedData.cumulative() == null
                ? CumulativeLimits.NONE : protectedData.cumulative();
        this.mode = config.mode();
    }

    /**
     * Compiles a rule's checks.
     *
     * @param scanners makes the scanner for the rule's {@code protectedData}; called once, and only when it is set
     */
    public static ContentCheck compile(ContentConfig config,
            Function<ContentConfig.ProtectedData, ProtectedDataScanner> scanners) {
        Objects.requireNonNull(config, "config");
        ProtectedDataScanner scanner = null;
        if (config.protectedData() != null) {
            scanner = Objects.requireNonNull(scanners.apply(config.protectedData()), "scanner");
        }
        return new CompiledContentCheck(config, scanner);
    }

    @Override
    public CumulativeLimits cumulative() {
        return cumulative;
    }

    @Override
    public Mode mode() {
        return mode;
    }

    @Override
    public ContentVerdict inspect(ContentInput input) {
        Inspection seen = new Inspection();
        try {
            run(input, seen);
            return seen.verdict(null, null);
        } catch (ContentRefusal refusal) {
            return seen.verdict(refusal.check(), refusal.reason());
        }
    }

    private void run(ContentInput input, Inspection seen) {
        DecodeBudget budget = new DecodeBudget(decode);
        Decompressor.Decoded decoded = ContentEncodings.decode(input.body(), input.contentEncoding(), budget,
                seen.layers);
        byte[] body = decoded.bytes();
        int len = decoded.length();
        String essence = MediaTypes.essence(input.contentType());
        MediaTypes.Kind kind = MediaTypes.kind(essence);

        JsonShape.Result shape = null;
        boolean typesWantJson = types != null && kind == MediaTypes.Kind.JSON;
        if (len > 0 && (typesWantJson || schema != null
                || json != null && (kind == MediaTypes.Kind.JSON
                        || Sniffer.textSyntax(body, 0, len) == ProtectedDataScanner.Syntax.JSON))) {
            shape = JsonShape.read(body, 0, len, json == null ? ContentConfig.JsonLimits.NONE : json,
                    schema != null, typesWantJson);
        }
        if (types != null && len > 0) {
            checkTypes(body, len, essence, kind, shape);
        }
        if (shape != null && shape.limitReason() != null) {
            throw new ContentRefusal("json", shape.limitReason());
        }
        if (schema != null && len > 0) {
            checkSchema(shape, seen);
        }
        boolean measure = opaque != ContentConfig.Opaque.ALLOW;
        if (scanner == null && !measure) {
            return;
        }
        ContentWalk walk = new ContentWalk(budget, scanner, seen.findings, measure, opaqueEntropy);
        seen.walk = walk;
        if (len > 0) {
            ProtectedDataScanner.Syntax syntax = shape != null && shape.complete() && !shape.valid()
                    ? ProtectedDataScanner.Syntax.TEXT : MediaTypes.syntax(essence, body, 0, len);
            walk.body(body, len, syntax, seen.layers.size(), kind == MediaTypes.Kind.FORM);
        }
        if (scanner != null) {
            walk.query(input.query());
            walk.headers(input.headerValues());
            checkFindings(seen.findings);
        }
        if (measure && (walk.bodyOpaque() || walk.spanOpaque()) && opaque == ContentConfig.Opaque.DENY) {
            String what = walk.bodyOpaque() ? "the body" : "an embedded span";
            throw new ContentRefusal("opaque", what + " stays opaque after decoding ("
                    + String.format(Locale.ROOT, "%.2f", seen.entropy()) + " bits/byte); rule refuses opaque bodies"
                    + " (content.opaque)");
        }
    }

    private void checkTypes(byte[] body, int len, String essence, MediaTypes.Kind kind, JsonShape.Result shape) {
        if (essence.isEmpty()) {
            throw new ContentRefusal("types", "the body has no Content-Type; rule allows only the types it lists"
                    + " (content.types)");
        }
        String named = MediaTypes.nameable(essence);
        if (!types.allows(essence)) {
            throw new ContentRefusal("types", "the body's Content-Type " + named + " is not one the rule allows"
                    + " (content.types)");
        }
        String sniffed = Sniffer.binaryFormat(body, 0, len);
        switch (kind) {
            case JSON, TEXT, FORM -> {
                if (sniffed != null) {
                    throw new ContentRefusal("types", "the body is declared " + named + " but its bytes are "
                            + sniffed + " (content.types)");
                }
                boolean agrees = switch (kind) {
                    case JSON -> shape != null && shape.valid();
                    case TEXT -> Utf8.isValid(body, 0, len) && noNul(body, len);
                    default -> MediaTypes.isForm(body, 0, len);
                };
                if (!agrees) {
                    String what = switch (kind) {
                        case JSON -> "one well-formed JSON value in UTF-8";
                        case TEXT -> "UTF-8 text";
                        default -> "well-formed form encoding";
                    };
                    throw new ContentRefusal("types", "the body is declared " + named + " but is not " + what
                            + " (content.types)");
                }
            }
            case BINARY -> {
                String magic = MediaTypes.requiredMagic(essence);
                if (!magic.equals(sniffed)) {
                    throw new ContentRefusal("types", "the body is declared " + named + " but does not start like "
                            + magic + " (content.types)");
                }
            }
            default -> {
                // a type with no promise about its bytes: being listed is all it needs
            }
        }
    }

    private void checkSchema(JsonShape.Result shape, Inspection seen) {
        if (shape == null || !shape.valid() || shape.tree() == null) {
            seen.schemaErrors = 1;
            throw new ContentRefusal("jsonSchema", "the body is not one JSON value, so it cannot satisfy jsonSchema "
                    + schemaName + " (content.jsonSchema)");
        }
        if (shape.hugeNumber()) {
            seen.schemaErrors = 1;
            throw new ContentRefusal("jsonSchema", "the body has a number beyond the range of a double, which"
                    + " jsonSchema " + schemaName + " cannot judge (content.jsonSchema)");
        }
        List<Error> errors;
        try {
            errors = schema.validate(shape.tree());
        } catch (RuntimeException e) {
            // fail closed: a body the validator cannot get through is not let through unchecked
            seen.schemaErrors = 1;
            throw new ContentRefusal("jsonSchema", "jsonSchema " + schemaName + " could not be evaluated on the"
                    + " body (content.jsonSchema)");
        }
        seen.schemaErrors = errors.size();
        if (!errors.isEmpty()) {
            Error first = errors.get(0);
            String keyword = first.getKeyword() == null ? "false" : first.getKeyword();
            throw new ContentRefusal("jsonSchema", "the body breaks jsonSchema " + schemaName + " in "
                    + errors.size() + (errors.size() == 1 ? " place" : " places") + " (first: '" + keyword + "' at "
                    + pointer(first.getSchemaLocation() == null ? null : first.getSchemaLocation().getFragment())
                    + ") (content.jsonSchema)");
        }
    }

    /** The schema-side location as a JSON Pointer fragment: it names the schema's keywords, not the request's. */
    private static String pointer(NodePath fragment) {
        StringBuilder s = new StringBuilder("#");
        if (fragment != null) {
            for (int i = 0; i < fragment.getNameCount(); i++) {
                s.append('/').append(fragment.getName(i).replace("~", "~0").replace("/", "~1"));
            }
        }
        return s.toString();
    }

    private void checkFindings(ProtectedFindings findings) {
        if (findings.rows() > protectedData.maxRows()) {
            throw new ContentRefusal("protectedData", "the request carries " + findings.rows()
                    + (findings.rows() == 1 ? " row" : " rows") + " of the protected data (at least "
                    + protectedData.k() + " of a row's cells together); rule allows " + protectedData.maxRows()
                    + " (content.protectedData.maxRows)");
        }
        if (findings.rareValues() > protectedData.maxRareValues()) {
            throw new ContentRefusal("protectedData", "the request carries " + findings.rareValues()
                    + (findings.rareValues() == 1 ? " rare value" : " rare values") + " of the protected data;"
                    + " rule allows " + protectedData.maxRareValues() + " (content.protectedData.maxRareValues)");
        }
    }

    private static boolean noNul(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] == 0) {
                return false;
            }
        }
        return true;
    }

    /** What one inspection has measured so far. */
    private static final class Inspection {
        final List<String> layers = new ArrayList<>();
        final ProtectedFindings findings = new ProtectedFindings();
        int schemaErrors;
        ContentWalk walk;

        double entropy() {
            return walk == null ? -1 : Math.max(walk.bodyEntropy(), walk.spanEntropy());
        }

        ContentVerdict verdict(String refusedBy, String reason) {
            List<String> all = new ArrayList<>(layers);
            boolean opaque = false;
            if (walk != null) {
                all.addAll(walk.chains());
                opaque = walk.bodyOpaque() || walk.spanOpaque();
            }
            return new ContentVerdict(refusedBy, reason, findings.rows(), findings.rareValues(), entropy(),
                    schemaErrors, all, opaque);
        }
    }
}
