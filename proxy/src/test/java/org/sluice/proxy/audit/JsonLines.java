package org.sluice.proxy.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: parses JSON Lines of flat objects with jackson-core, keeping field order. */
final class JsonLines {

    static final List<String> CONTRACT_FIELDS = List.of("ts", "id", "listener", "client", "method", "scheme",
            "host", "port", "path", "decision", "rule", "reason", "status", "reqBytes", "respBytes", "reqSha256",
            "durationMs", "upstream", "policy", "error", "reqBytesSent", "task", "content", "job", "node", "seq",
            "prev", "hash");

    private static final JsonFactory JSON = new JsonFactory();

    private JsonLines() {
    }

    /** Splits on '\n' (the text must end with one) and parses every line as one flat object. */
    static List<Map<String, Object>> parse(byte[] utf8) throws IOException {
        String text = new String(utf8, StandardCharsets.UTF_8);
        List<Map<String, Object>> out = new ArrayList<>();
        if (text.isEmpty()) {
            return out;
        }
        if (!text.endsWith("\n")) {
            throw new IOException("last line is not terminated: " + text);
        }
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            out.add(parseLine(line));
        }
        return out;
    }

    /** Parses exactly one flat JSON object; fails on trailing content. */
    static Map<String, Object> parseLine(String line) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object: " + line);
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw new IOException("expected a field name in " + line);
                }
                String name = p.currentName();
                JsonToken v = p.nextToken();
                Object value = switch (v) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT -> p.getLongValue();
                    case VALUE_NULL -> null;
                    default -> throw new IOException("unexpected " + v + " for " + name + " in " + line);
                };
                if (fields.containsKey(name)) {
                    throw new IOException("duplicate field " + name + " in " + line);
                }
                fields.put(name, value);
            }
            if (p.nextToken() != null) {
                throw new IOException("trailing content after the object: " + line);
            }
        }
        return fields;
    }
}
