package org.sluice.policy.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.serialization.node.LocationJsonNodeFactory;
import com.networknt.schema.serialization.node.TokenStreamLocationAware;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and compiles a rule's {@code jsonSchema} file: JSON (or YAML, by its extension) parsed with positions, checked
 * against the draft 2020-12 meta-schema, compiled with every reference resolved now. Nothing is ever fetched: a
 * reference outside the file is refused, and the registry is built so that it cannot load a schema from anywhere
 * but its own bundled meta-schemas. Every problem names a place in the schema file.
 */
final class JsonSchemaFile {

    /** The only dialect Sluice validates with; also what a schema without {@code $schema} is read as. */
    static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";
    /** The bundled meta-schema and its vocabularies: read from the validator's own jar, never from the network. */
    private static final String META_PREFIX = "https://json-schema.org/draft/2020-12/";
    /** Enough to see what is wrong; a file with more errors is not a JSON Schema at all. */
    private static final int SHOWN_ERRORS = 5;
    /** Keywords whose value is data, not a schema: a "$ref" inside them is not a reference. */
    private static final Set<String> DATA_KEYWORDS = Set.of("const", "enum", "default", "examples");
    private static final Set<String> REFERENCE_KEYWORDS = Set.of("$ref", "$dynamicRef");

    /** Where a problem is in the schema file, and what it is (without the key prefix). */
    record SchemaProblem(int line, int column, String message) {}

    /** The compiled schema, or every problem found (then schema is null). */
    record Result(Schema schema, List<SchemaProblem> problems) {}

    private JsonSchemaFile() {}

    /** Reads bytes, the content of file; file is used in the schema's identity and chooses JSON or YAML. */
    static Result read(Path file, byte[] bytes) {
        JsonNode root;
        try {
            root = parse(file, bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String what = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
            return failed(new SchemaProblem(at == null ? 1 : Math.max(1, at.getLineNr()),
                    at == null ? 1 : Math.max(1, at.getColumnNr()), "malformed " + format(file) + ": "
                    + oneLine(what)));
        } catch (IOException e) {
            return failed(new SchemaProblem(1, 1, "unreadable: " + oneLine(String.valueOf(e.getMessage()))));
        }
        if (root == null || root.isMissingNode()) {
            return failed(new SchemaProblem(1, 1, "the file is empty; expected a JSON Schema (draft 2020-12), "
                    + "e.g. {\"type\": \"object\"}"));
        }
        if (!root.isObject() && !root.isBoolean()) {
            return failed(at(root, "expected a JSON Schema: an object (or true or false), got "
                    + root.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        List<SchemaProblem> problems = new ArrayList<>();
        checkDialectsAndReferences(root, problems);
        if (!problems.isEmpty()) {
            return new Result(null, problems);
        }
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)
                        .block(iri -> !iri.toString().startsWith(META_PREFIX))));
        List<Error> errors = registry.getSchema(SchemaLocation.of(DRAFT_2020_12)).validate(root);
        for (Error error : errors.subList(0, Math.min(SHOWN_ERRORS, errors.size()))) {
            String where = error.getInstanceLocation() == null ? "" : error.getInstanceLocation() + ": ";
            problems.add(at(error.getInstanceNode() == null ? root : error.getInstanceNode(),
                    "not a valid JSON Schema (draft 2020-12): " + where + oneLine(error.getMessage())));
        }
        if (errors.size() > SHOWN_ERRORS) {
            problems.add(at(root, (errors.size() - SHOWN_ERRORS) + " more error(s) against the draft 2020-12 "
                    + "meta-schema not shown"));
        }
        if (!problems.isEmpty()) {
            return new Result(null, problems);
        }
        try {
            Schema schema = registry.getSchema(SchemaLocation.of(file.toAbsolutePath().toUri().toString()), root);
            // Resolve every reference and build every keyword now, so that a bad one stops the load, not a request.
            schema.initializeValidators();
            return new Result(schema, List.of());
        } catch (SchemaException | IllegalArgumentException | IllegalStateException e) {
            return failed(at(root, "cannot compile the schema: " + oneLine(String.valueOf(e.getMessage()))));
        }
    }

    private static JsonNode parse(Path file, byte[] bytes) throws IOException {
        ObjectMapper mapper = isYaml(file) ? new YAMLMapper() : new ObjectMapper();
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        try (JsonParser parser = mapper.getFactory().createParser(bytes)) {
            // A schema whose key is written twice means two things; refuse it instead of keeping the last.
            parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            parser.disable(StreamReadFeature.AUTO_CLOSE_SOURCE.mappedFeature());
            return mapper.reader(new LocationJsonNodeFactory(parser)).readTree(parser);
        }
    }

    /**
     * {@code $schema} must name draft 2020-12 wherever it appears, and {@code $ref}/{@code $dynamicRef} must point
     * inside this file ({@code #...}): anything else would be fetched from somewhere at load or, worse, per request.
     */
    private static void checkDialectsAndReferences(JsonNode node, List<SchemaProblem> problems) {
        if (node.isArray()) {
            for (JsonNode item : node) {
                checkDialectsAndReferences(item, problems);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.equals("$schema") && value.isTextual() && !isDraft202012(value.asText())) {
                problems.add(at(value, "$schema '" + NodeReader.shorten(value.asText()) + "' is not supported: "
                        + "Sluice validates with JSON Schema draft 2020-12 only; write \"$schema\": \""
                        + DRAFT_2020_12 + "\" or leave $schema out"));
            } else if (REFERENCE_KEYWORDS.contains(key) && value.isTextual() && !value.asText().startsWith("#")) {
                String ref = value.asText();
                String scheme = ref.contains(":") ? ref.substring(0, ref.indexOf(':')).toLowerCase(Locale.ROOT) : "";
                String why = scheme.equals("http") || scheme.equals("https")
                        ? " would be fetched over the network, which Sluice never does"
                        : " points outside this file, and Sluice loads a schema from one file only";
                problems.add(at(value, key + " '" + NodeReader.shorten(ref) + "'" + why + "; copy the referenced "
                        + "schema under $defs in this file and refer to it as \"#/$defs/NAME\""));
            } else if (!DATA_KEYWORDS.contains(key)) {
                checkDialectsAndReferences(value, problems);
            }
        }
    }

    private static boolean isDraft202012(String id) {
        return id.equals(DRAFT_2020_12) || id.equals(DRAFT_2020_12 + "#");
    }

    private static SchemaProblem at(JsonNode node, String message) {
        if (node instanceof TokenStreamLocationAware located && located.tokenStreamLocation() != null) {
            JsonLocation location = located.tokenStreamLocation();
            return new SchemaProblem(Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()),
                    message);
        }
        return new SchemaProblem(1, 1, message);
    }

    private static Result failed(SchemaProblem problem) {
        return new Result(null, List.of(problem));
    }

    private static boolean isYaml(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    private static String format(Path file) {
        return isYaml(file) ? "YAML" : "JSON";
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }
}
