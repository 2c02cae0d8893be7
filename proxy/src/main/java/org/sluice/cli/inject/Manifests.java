package org.sluice.cli.inject;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes multi-document YAML manifests as Jackson trees. Comments and key styles do not survive; the
 * order of documents and of keys does. Duplicate keys are an error, as they are for kubectl.
 */
public final class Manifests {

    private static final YAMLMapper READER = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    // Strings that YAML would read back as numbers or booleans are quoted, so a round trip keeps every type.
    private static final YAMLMapper WRITER = YAMLMapper.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    private Manifests() {
    }

    /** One document of a manifest and the line it starts on. */
    public record Document(JsonNode node, int line) {
    }

    /** The non-empty documents of text, in order; each must be a mapping. */
    public static List<Document> read(String text) throws ManifestException {
        List<Document> documents = new ArrayList<>();
        try (JsonParser parser = READER.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                JsonLocation start = parser.currentTokenLocation();
                if (token == JsonToken.VALUE_NULL) {
                    continue;
                }
                JsonNode node = READER.readTree(parser);
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                if (!node.isObject()) {
                    throw new ManifestException("document " + (documents.size() + 1)
                            + " is not a mapping (a Kubernetes object has apiVersion, kind, metadata)",
                            start.getLineNr(), start.getColumnNr());
                }
                documents.add(new Document(node, start.getLineNr()));
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ManifestException("not valid YAML: " + firstLine(e.getOriginalMessage()),
                    at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String does no I/O
        }
        return documents;
    }

    /** The documents as YAML, each starting with {@code ---}. */
    public static String write(List<JsonNode> documents) {
        StringWriter out = new StringWriter();
        try (SequenceWriter writer = WRITER.writer().writeValues(out)) {
            for (JsonNode document : documents) {
                writer.write(document);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing a String does no I/O
        }
        return out.toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
