package org.sluice.policy.config;

import com.networknt.schema.Schema;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.sluice.policy.HttpTokens;
import org.sluice.policy.Mode;
import org.sluice.policy.content.CumulativeLimits;
import org.sluice.policy.fingerprint.FingerprintFormatException;
import org.sluice.policy.fingerprint.FingerprintIndex;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a rule's {@code content:} checks, and loads the files they name (the JSON Schema, the fingerprint index)
 * from the config's own folder, so that a policy that loads can be enforced. Each file read is recorded in
 * {@link ReferencedFiles}, whose hashes become part of the policy's hash.
 */
final class ContentReader {

    static final List<String> CONTENT_KEYS = List.of("mode", "types", "jsonSchema", "json", "protectedData",
            "decode", "opaque", "opaqueEntropy");
    private static final List<String> JSON_KEYS = List.of("maxDepth", "maxArrayLength", "maxStringLength",
            "maxNumbers");
    private static final List<String> PROTECTED_KEYS = List.of("index", "k", "maxRows", "maxRareValues", "perJob",
            "perWindow");
    private static final List<String> CUMULATIVE_KEYS = List.of("maxRows", "maxRareValues");
    private static final List<String> DECODE_KEYS = List.of("maxLayers", "maxRatio", "maxBytes");
    /** Deeper nesting than this is no encoding a client would use by accident; each layer costs a pass. */
    static final int MAX_DECODE_LAYERS = 16;
    /** gzip of a run of zeros reaches about 1,000:1; a ratio above this no longer tells a bomb from a body. */
    static final int MAX_DECODE_RATIO = 100_000;
    /** Decoded bytes are held in memory, in one array per layer. */
    static final long MAX_DECODE_BYTES = 1L << 30;
    /** The largest array a JVM allocates: a file is read whole into one. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;
    private static final Pattern ENTROPY = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,12})?");

    private final NodeReader in;
    /** Relative file names are read from the config's own folder. */
    private final Path folder;
    private final ReferencedFiles files;

    ContentReader(NodeReader in, Path folder, ReferencedFiles files) {
        this.in = in;
        this.folder = folder;
        this.files = files;
    }

    /** The checks; null (with problems) when anything in them is wrong. */
    ContentConfig read(Node node, String where) {
        NodeReader.Entries content = in.mapping(node, where, CONTENT_KEYS);
        if (content == null) {
            return null;
        }
        if (content.node().getValue().isEmpty()) {
            in.problem(node, where + ": no check is set; write at least one of " + String.join(", ", CONTENT_KEYS)
                    + ", or remove content");
            return null;
        }
        int before = problemCount();
        Node modeNode = content.value("mode");
        Mode mode = modeNode == null ? null : ConfigReader.mode(in, modeNode, where + ".mode");
        Node typesNode = content.value("types");
        List<String> types = typesNode == null ? null : readTypes(typesNode, where + ".types");
        Node schemaNode = content.value("jsonSchema");
        String schemaName = schemaNode == null ? null : fileName(schemaNode, where + ".jsonSchema");
        Schema schema = schemaName == null ? null : readSchema(schemaNode, where + ".jsonSchema");
        Node jsonNode = content.value("json");
        ContentConfig.JsonLimits json = jsonNode == null ? null : readJson(jsonNode, where + ".json");
        Node protectedNode = content.value("protectedData");
        ContentConfig.ProtectedData protectedData = protectedNode == null ? null
                : readProtectedData(protectedNode, where + ".protectedData");
        Node decodeNode = content.value("decode");
        ContentConfig.Decode decode = decodeNode == null ? ContentConfig.Decode.DEFAULTS
                : readDecode(decodeNode, where + ".decode");
        Node opaqueNode = content.value("opaque");
        ContentConfig.Opaque opaque = opaqueNode == null ? ContentConfig.Opaque.DENY
                : readOpaque(opaqueNode, where + ".opaque");
        Node entropyNode = content.value("opaqueEntropy");
        double entropy = entropyNode == null ? ContentConfig.DEFAULT_OPAQUE_ENTROPY
                : readEntropy(entropyNode, where + ".opaqueEntropy");
        if (problemCount() != before) {
            return null;
        }
        return new ContentConfig(types, schemaName, schema, json, protectedData, decode, opaque, entropy, mode,
                in.position(node));
    }

    private int problemCount() {
        return in.sortedProblems().size();
    }

    /** Media types as {@code type/subtype} or {@code type/*}, lower-cased, each once. */
    private List<String> readTypes(Node node, String key) {
        List<ScalarNode> items = in.stringList(node, key, "[application/json, text/csv]");
        if (items == null) {
            return null;
        }
        if (items.isEmpty() && ((SequenceNode) node).getValue().isEmpty()) {
            in.problem(node, key + ": expected at least one media type, e.g. [application/json]; leave types out "
                    + "to accept a body of any type");
            return null;
        }
        Set<String> types = new LinkedHashSet<>();
        for (ScalarNode item : items) {
            String problem = mediaTypeProblem(item.getValue());
            if (problem != null) {
                in.problem(item, key + ": '" + NodeReader.shorten(item.getValue()) + "' " + problem);
            } else {
                types.add(item.getValue().toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(types);
    }

    /** Null when text is {@code type/subtype} or {@code type/*}; otherwise why not, and what to write. */
    static String mediaTypeProblem(String text) {
        if (text.indexOf(';') >= 0) {
            return "has parameters; write the media type alone, e.g. application/json (the charset is not checked "
                    + "here)";
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return "is not a media type; expected type/subtype or type/*, e.g. application/json or text/*";
        }
        String type = text.substring(0, slash);
        String subtype = text.substring(slash + 1);
        if (type.equals("*")) {
            return "accepts any type; leave types out to accept a body of any type, or name the types";
        }
        if (!HttpTokens.isToken(type) || !(subtype.equals("*") || HttpTokens.isToken(subtype))) {
            return "is not a media type; expected type/subtype or type/*, e.g. application/json or text/*";
        }
        return null;
    }

    /** The name as written, checked to be one line of text (it goes into the policy hash's file list). */
    private String fileName(Node node, String key) {
        String text = in.text(node, key, "a file name");
        if (text == null) {
            return null;
        }
        if (text.isBlank() || text.chars().anyMatch(Character::isISOControl)) {
            in.problem(node, key + ": expected a file name without control characters, got '"
                    + NodeReader.shorten(text) + "'");
            return null;
        }
        return text;
    }

    private Schema readSchema(Node node, String key) {
        Path file = ConfigReader.existingFile(in, folder, node, key,
                "a JSON Schema file (draft 2020-12), e.g. schemas/result.schema.json");
        byte[] bytes = file == null ? null : readFile(node, key, file);
        if (bytes == null) {
            return null;
        }
        JsonSchemaFile.Result result = JsonSchemaFile.read(file, bytes);
        for (JsonSchemaFile.SchemaProblem problem : result.problems()) {
            in.problem(node, key + ": " + file + ":" + problem.line() + ":" + problem.column() + ": "
                    + problem.message());
        }
        if (result.schema() != null) {
            files.add(((ScalarNode) node).getValue(), bytes);
        }
        return result.schema();
    }

    private ContentConfig.JsonLimits readJson(Node node, String where) {
        NodeReader.Entries json = in.mapping(node, where, JSON_KEYS);
        if (json == null) {
            return null;
        }
        if (json.node().getValue().isEmpty()) {
            in.problem(node, where + ": no limit is set; write at least one of " + String.join(", ", JSON_KEYS)
                    + ", or remove json");
            return null;
        }
        return new ContentConfig.JsonLimits(
                count(json.value("maxDepth"), where + ".maxDepth"),
                count(json.value("maxArrayLength"), where + ".maxArrayLength"),
                count(json.value("maxStringLength"), where + ".maxStringLength"),
                count(json.value("maxNumbers"), where + ".maxNumbers"));
    }

    /** A whole number from 0 to Integer.MAX_VALUE; no limit (MAX_VALUE) when absent or invalid. */
    private int count(Node node, String key) {
        if (node == null) {
            return Integer.MAX_VALUE;
        }
        Long value = ConfigReader.wholeNumber(in, node, key, 0, Integer.MAX_VALUE);
        return value == null ? Integer.MAX_VALUE : value.intValue();
    }

    private ContentConfig.ProtectedData readProtectedData(Node node, String where) {
        NodeReader.Entries data = in.mapping(node, where, PROTECTED_KEYS);
        if (data == null) {
            return null;
        }
        Node indexNode = data.required("index", "the fingerprint index of the protected data, e.g. index: "
                + "data/patients.sfp (./sluice fingerprint build writes one)");
        String indexName = indexNode == null ? null : fileName(indexNode, where + ".index");
        FingerprintIndex index = indexName == null ? null : readIndex(indexNode, where + ".index");
        Node kNode = data.value("k");
        Long k = kNode == null ? null : ConfigReader.wholeNumber(in, kNode, where + ".k", 2, 255);
        Node rowsNode = data.value("maxRows");
        Long maxRows = rowsNode == null ? Long.valueOf(ContentConfig.ProtectedData.DEFAULT_MAX_ROWS)
                : ConfigReader.wholeNumber(in, rowsNode, where + ".maxRows", 0, Integer.MAX_VALUE);
        Node rareNode = data.value("maxRareValues");
        Long maxRare = rareNode == null ? Long.valueOf(ContentConfig.ProtectedData.DEFAULT_MAX_RARE_VALUES)
                : ConfigReader.wholeNumber(in, rareNode, where + ".maxRareValues", 0, Integer.MAX_VALUE);
        long[] perJob = cumulative(data.value("perJob"), where + ".perJob");
        long[] perWindow = cumulative(data.value("perWindow"), where + ".perWindow");
        if (index == null || (kNode != null && k == null) || maxRows == null || maxRare == null || perJob == null
                || perWindow == null) {
            return null;
        }
        int rowK = k == null ? index.k() : k.intValue();
        int pairColumns = index.pairColumns().size();
        // Rows are recognised from pairs of their cells in the pair columns: a row never shows more cells than that.
        if (pairColumns >= 2 && rowK > pairColumns) {
            in.problem(kNode != null ? kNode : indexNode, where + ".k: " + rowK + (kNode != null ? "" : " (the "
                    + "index's own k)") + " is more cells than the index can see together in one row: it pairs "
                    + pairColumns + " columns (" + String.join(", ", index.pairColumns()) + "); set k from 2 to "
                    + pairColumns);
            return null;
        }
        return new ContentConfig.ProtectedData(indexName, index, rowK, maxRows.intValue(), maxRare.intValue(),
                new CumulativeLimits(perJob[0], perJob[1], perWindow[0], perWindow[1]));
    }

    /** {maxRows, maxRareValues} of a perJob or perWindow mapping; no limits when absent; null when invalid. */
    private long[] cumulative(Node node, String where) {
        if (node == null) {
            return new long[] {Long.MAX_VALUE, Long.MAX_VALUE};
        }
        NodeReader.Entries limits = in.mapping(node, where, CUMULATIVE_KEYS);
        if (limits == null) {
            return null;
        }
        if (limits.node().getValue().isEmpty()) {
            in.problem(node, where + ": no limit is set; write maxRows, maxRareValues or both, or remove it");
            return null;
        }
        Node rowsNode = limits.value("maxRows");
        Node rareNode = limits.value("maxRareValues");
        Long rows = rowsNode == null ? Long.valueOf(Long.MAX_VALUE)
                : ConfigReader.wholeNumber(in, rowsNode, where + ".maxRows", 0, Long.MAX_VALUE - 1);
        Long rare = rareNode == null ? Long.valueOf(Long.MAX_VALUE)
                : ConfigReader.wholeNumber(in, rareNode, where + ".maxRareValues", 0, Long.MAX_VALUE - 1);
        return rows == null || rare == null ? null : new long[] {rows, rare};
    }

    private FingerprintIndex readIndex(Node node, String key) {
        Path file = ConfigReader.existingFile(in, folder, node, key,
                "a fingerprint index (.sfp) built with ./sluice fingerprint build");
        byte[] bytes = file == null ? null : readFile(node, key, file);
        if (bytes == null) {
            return null;
        }
        try {
            FingerprintIndex index = FingerprintIndex.fromBytes(bytes);
            files.add(((ScalarNode) node).getValue(), bytes);
            return index;
        } catch (FingerprintFormatException e) {
            // Some reasons already say to rebuild; say it once.
            String remedy = e.getMessage().contains("rebuild") ? ""
                    : "; build it again with ./sluice fingerprint build";
            in.problem(node, key + ": '" + file + "' is not a usable fingerprint index: " + e.getMessage() + remedy);
            return null;
        }
    }

    /** The file's bytes; null (with a problem at node) when it cannot be read. */
    private byte[] readFile(Node node, String key, Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                in.problem(node, key + ": '" + file + "' has " + size + " bytes, more than the " + MAX_FILE_BYTES
                        + " a file Sluice reads whole may have");
                return null;
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            in.problem(node, key + ": no such file '" + file + "' (a relative name is read from the config file's "
                    + "folder)");
        } catch (AccessDeniedException e) {
            in.problem(node, key + ": cannot read '" + file + "': permission denied; Sluice must be able to read it");
        } catch (IOException e) {
            String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                    : String.valueOf(e.getMessage());
            in.problem(node, key + ": cannot read '" + file + "': " + reason);
        }
        return null;
    }

    private ContentConfig.Decode readDecode(Node node, String where) {
        ContentConfig.Decode d = ContentConfig.Decode.DEFAULTS;
        NodeReader.Entries decode = in.mapping(node, where, DECODE_KEYS);
        if (decode == null) {
            return d;
        }
        Node layersNode = decode.value("maxLayers");
        Long layers = layersNode == null ? Long.valueOf(d.maxLayers())
                : ConfigReader.wholeNumber(in, layersNode, where + ".maxLayers", 0, MAX_DECODE_LAYERS);
        Node ratioNode = decode.value("maxRatio");
        Long ratio = ratioNode == null ? Long.valueOf(d.maxRatio())
                : ConfigReader.wholeNumber(in, ratioNode, where + ".maxRatio", 1, MAX_DECODE_RATIO);
        Node bytesNode = decode.value("maxBytes");
        Long bytes = bytesNode == null ? Long.valueOf(d.maxBytes())
                : ConfigReader.sizeOrNull(in, bytesNode, where + ".maxBytes", 1, MAX_DECODE_BYTES);
        if (layers == null || ratio == null || bytes == null) {
            return d;
        }
        return new ContentConfig.Decode(layers.intValue(), ratio.intValue(), bytes);
    }

    private ContentConfig.Opaque readOpaque(Node node, String key) {
        String text = in.text(node, key, "deny, report or allow");
        if (text == null) {
            return ContentConfig.Opaque.DENY;
        }
        return switch (text) {
            case "deny" -> ContentConfig.Opaque.DENY;
            case "report" -> ContentConfig.Opaque.REPORT;
            case "allow" -> ContentConfig.Opaque.ALLOW;
            default -> {
                in.problem(node, key + ": expected deny, report or allow, got '" + NodeReader.shorten(text) + "'");
                yield ContentConfig.Opaque.DENY;
            }
        };
    }

    /** Bits per byte: above 0 (every body would be opaque) and at most 8 (the most a byte can carry). */
    private double readEntropy(Node node, String key) {
        String text = in.text(node, key, "bits per byte, a number above 0 and at most 8, e.g. 7.5");
        if (text == null) {
            return ContentConfig.DEFAULT_OPAQUE_ENTROPY;
        }
        double value = ENTROPY.matcher(text).matches() ? Double.parseDouble(text) : -1;
        if (value <= 0 || value > 8) {
            in.problem(node, key + ": expected bits per byte, a number above 0 and at most 8 (default "
                    + ContentConfig.DEFAULT_OPAQUE_ENTROPY + "), got '" + NodeReader.shorten(text) + "'");
            return ContentConfig.DEFAULT_OPAQUE_ENTROPY;
        }
        return value;
    }
}
