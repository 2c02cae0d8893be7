package org.sluice.bench.content;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** Writes JSON with Jackson's generator, so that numbers can be written exactly as an attack spells them. */
final class Json {

    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    /** What {@code body} writes, as a string. */
    static String write(Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            body.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** One row as an object: {@code keys[i]} for column {@code order[i]}, numbers as JSON numbers. */
    static void row(JsonGenerator json, PatientRow row, List<String> keys, int[] order) throws IOException {
        json.writeStartObject();
        for (int i = 0; i < order.length; i++) {
            json.writeFieldName(keys.get(i));
            cell(json, row, order[i]);
        }
        json.writeEndObject();
    }

    /** Column {@code column} of {@code row} as an exporter writes it: the three measurements as numbers. */
    static void cell(JsonGenerator json, PatientRow row, int column) throws IOException {
        String cell = row.cells().get(column);
        switch (PatientRow.COLUMNS.get(column)) {
            case "weight_kg", "systolic_bp", "invoice" -> json.writeNumber(cell);
            default -> json.writeString(cell);
        }
    }

    /** A double array as Python's json module writes a list of floats (shortest round-trip digits). */
    static void doubles(JsonGenerator json, double[] values) throws IOException {
        json.writeStartArray();
        for (double value : values) {
            json.writeNumber(Double.toString(value));
        }
        json.writeEndArray();
    }

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator json) throws IOException;
    }
}
