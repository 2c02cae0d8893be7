package org.sluice.bench.content;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.sluice.policy.content.ContentInput;
import org.sluice.policy.fingerprint.CellNormalizer;

/**
 * What the data set itself says about a value, without the index or the checks: in how many rows it is, and so
 * whether it is rare. The suites are tested against this, so that they mean what they claim
 * whatever the checks under evaluation do.
 */
final class DataOracle {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Map<String, Integer> rowsPerValue = new HashMap<>();

    DataOracle(ProtectedDataSet data) {
        for (int r = 0; r < data.size(); r++) {
            for (String cell : new HashSet<>(normalized(data.row(r).cells()))) {
                rowsPerValue.merge(cell, 1, Integer::sum);
            }
        }
    }

    private static List<String> normalized(List<String> cells) {
        return cells.stream().map(CellNormalizer::normalize).filter(v -> v != null).toList();
    }

    /** In how many rows the value is, once normalised (0: in none). */
    int rows(String value) {
        String normal = CellNormalizer.normalize(value);
        return normal == null ? 0 : rowsPerValue.getOrDefault(normal, 0);
    }

    /** Whether the value is in at most 3 rows, as the index's rare table counts. */
    boolean rare(String value) {
        int rows = rows(value);
        return rows > 0 && rows <= 3;
    }

    /** A value in a request and the name it stands under (a JSON field, a query parameter, "header"). */
    record Leaf(String name, String value) {
    }

    /**
     * Every value a legitimate request carries: JSON leaves (base64 JSON in {@code result} and {@code input}
     * opened), query parameters, header values and a bearer token's claims.
     */
    static List<Leaf> leaves(ContentInput input) {
        List<Leaf> leaves = new ArrayList<>();
        if (input.body().length > 0) {
            json(Encodings.text(input.body()), "", leaves);
        }
        if (input.query() != null) {
            for (String parameter : input.query().split("&")) {
                String[] pair = parameter.split("=", 2);
                leaves.add(new Leaf(Encodings.unpercent(pair[0]), pair.length > 1 ? Encodings.unpercent(pair[1])
                        : ""));
            }
        }
        for (String header : input.headerValues()) {
            leaves.add(new Leaf("header", header));
            if (header.startsWith("Bearer ")) {
                String claims = header.substring(7).split("\\.")[1];
                json(Encodings.text(java.util.Base64.getUrlDecoder().decode(claims)), "token", leaves);
            }
        }
        return leaves;
    }

    private static void json(String text, String name, List<Leaf> leaves) {
        try {
            walk(MAPPER.readTree(text), name, leaves);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void walk(JsonNode node, String name, List<Leaf> leaves) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> walk(field.getValue(), field.getKey(), leaves));
        } else if (node.isArray()) {
            node.forEach(element -> walk(element, name, leaves));
        } else if (node.isNumber()) {
            leaves.add(new Leaf(name, node.decimalValue().toString()));
        } else if (node.isTextual()) {
            leaves.add(new Leaf(name, node.textValue()));
            if (name.equals("result") || name.equals("input")) {
                json(Encodings.text(Encodings.unbase64(node.textValue())), name, leaves);
            }
        } else {
            leaves.add(new Leaf(name, node.asText()));
        }
    }
}
