package org.sluice.bench.content;

import static org.sluice.bench.content.EvaluationConfigs.PROTECTED_DATA;
import static org.sluice.bench.content.EvaluationConfigs.STRICT;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.sluice.policy.content.ContentInput;

/**
 * The attacks of issue 18, item 4: each a generator of requests that carry protected rows, and the receiving end
 * that gets them back. Most are expected to be refused; the last few are what Sluice is not expected to catch
 * (encryption with the algorithm's own key, steganography, leaks below the thresholds), so the docs can say so
 * with numbers.
 */
final class AttackSuite {

    /** Rows in one request of a bulk attack: a small batch, well above {@link EvaluationConfigs#MAX_ROWS}. */
    static final int ROWS_PER_REQUEST = 10;
    /** Jobs (here: requests) per single-request attack. */
    static final int REQUESTS = 200;
    /** Rows per request where the request line or head limits the size (query, headers). */
    static final int ROWS_IN_HEAD = 5;

    private static final String JSON = "application/json";
    private static final Set<String> BOTH = Set.of(PROTECTED_DATA, STRICT);
    private static final Set<String> NEITHER = Set.of();
    private static final int[] COLUMN_ORDER = IntStream.range(0, PatientRow.COLUMNS.size()).toArray();

    private final byte[] aesKey;

    /** The suite with a seeded key for the encryption attacks (the key the algorithm brought). */
    AttackSuite(long seed) {
        aesKey = new byte[16];
        new Random(seed).nextBytes(aesKey);
    }

    List<Attack> attacks() {
        return List.of(
                new Attack("json-rows", ROWS_PER_REQUEST + " rows as JSON objects, the data set's column names",
                        BOTH, REQUESTS, (data, random) -> jsonObjects(draw(data, random, ROWS_PER_REQUEST),
                                PatientRow.COLUMNS, COLUMN_ORDER), AttackSuite::body),
                new Attack("json-renamed-keys", "the same with keys f0..f10", BOTH, REQUESTS,
                        (data, random) -> jsonObjects(draw(data, random, ROWS_PER_REQUEST), renamedKeys(),
                                COLUMN_ORDER), AttackSuite::body),
                new Attack("json-reordered-columns", "the same with the columns shuffled per request", BOTH, REQUESTS,
                        (data, random) -> {
                            int[] order = shuffled(random);
                            List<String> keys = Arrays.stream(order).mapToObj(PatientRow.COLUMNS::get).toList();
                            return jsonObjects(draw(data, random, ROWS_PER_REQUEST), keys, order);
                        }, AttackSuite::body),
                new Attack("json-array-of-arrays", "rows as JSON arrays in an array", BOTH, REQUESTS,
                        (data, random) -> jsonArrays(draw(data, random, ROWS_PER_REQUEST)), AttackSuite::body),
                new Attack("csv", "rows as CSV with a header line, text/csv", BOTH, REQUESTS,
                        (data, random) -> separated(draw(data, random, ROWS_PER_REQUEST), ',', "text/csv"),
                        AttackSuite::body),
                new Attack("tsv", "rows as TSV, text/tab-separated-values", BOTH, REQUESTS,
                        (data, random) -> separated(draw(data, random, ROWS_PER_REQUEST), '\t',
                                "text/tab-separated-values"), AttackSuite::body),
                new Attack("one-row-per-request", "one JSON row per request, 20 requests a job (perJob.maxRows "
                        + EvaluationConfigs.JOB_ROWS + ")", BOTH, 10, (data, random) -> oneRowEach(data, random, 20),
                        AttackSuite::body),
                new Attack("base64-body", "CSV rows, base64, text/plain", BOTH, REQUESTS, (data, random) -> {
                    List<PatientRow> rows = draw(data, random, ROWS_PER_REQUEST);
                    return send(Encodings.base64(Encodings.utf8(csv(rows, ','))), "text/plain", rows);
                }, input -> Encodings.text(Encodings.unbase64(body(input)))),
                new Attack("gzip-base64-in-json", "JSON rows, gzip, base64, in a JSON string {\"result\": ...}", BOTH,
                        REQUESTS, (data, random) -> {
                            List<PatientRow> rows = draw(data, random, ROWS_PER_REQUEST);
                            String packed = Encodings.base64(Encodings.gzip(Encodings.utf8(
                                    jsonObjectsText(rows, PatientRow.COLUMNS, COLUMN_ORDER))));
                            return send(Json.write(json -> {
                                json.writeStartObject();
                                json.writeStringField("result", packed);
                                json.writeEndObject();
                            }), JSON, rows);
                        }, input -> Encodings.text(Encodings.gunzip(Encodings.unbase64(jsonString(input, "result"))))),
                new Attack("hex-body", "CSV rows, hex, text/plain", BOTH, REQUESTS, (data, random) -> {
                    List<PatientRow> rows = draw(data, random, ROWS_PER_REQUEST);
                    return send(Encodings.hex(Encodings.utf8(csv(rows, ','))), "text/plain", rows);
                }, input -> Encodings.text(Encodings.unhex(body(input)))),
                new Attack("numbers-reformatted", "JSON rows, 72.4 as \"72.40\", 128 as 1.28e2, 123.45 as 12345e-2, "
                        + "dates unchanged", BOTH, REQUESTS,
                        (data, random) -> reformatted(draw(data, random, ROWS_PER_REQUEST)), AttackSuite::body),
                new Attack("columns-split", "each row's columns split over 2 requests, joined by position", BOTH,
                        REQUESTS / 2, (data, random) -> split(draw(data, random, ROWS_PER_REQUEST)),
                        AttackSuite::body),
                new Attack("query-string", ROWS_IN_HEAD + " rows as query parameters of a GET", BOTH, REQUESTS,
                        (data, random) -> query(draw(data, random, ROWS_IN_HEAD)),
                        input -> Encodings.unpercent(input.query())),
                new Attack("header-values", ROWS_IN_HEAD + " rows, one per header value", BOTH, REQUESTS,
                        (data, random) -> headers(draw(data, random, ROWS_IN_HEAD)),
                        input -> String.join("\n", input.headerValues())),
                new Attack("weights-column", "a model {\"weights\": [...]} that is 500 rows' invoice amounts", BOTH,
                        REQUESTS, (data, random) -> weightsColumn(data, random, false), AttackSuite::body),
                new Attack("form-body", ROWS_PER_REQUEST + " rows, application/x-www-form-urlencoded",
                        Set.of(PROTECTED_DATA, STRICT), REQUESTS, (data, random) -> form(draw(data, random,
                                ROWS_PER_REQUEST)), input -> Encodings.unpercent(body(input))),
                new Attack("one-record-per-request", "one row without its identifiers (birth date, sex, postcode, "
                        + "diagnosis, weight, blood pressure) as JSON per request, 20 requests a job (perJob.maxRows "
                        + EvaluationConfigs.JOB_ROWS + ")", BOTH, 10,
                        (data, random) -> oneRecordEach(data, random, 20), AttackSuite::body),
                new Attack("one-identifier-per-request", "one patient id per request, 40 requests a job "
                        + "(perJob.maxRareValues " + EvaluationConfigs.JOB_RARE_VALUES + ")", BOTH, 5,
                        (data, random) -> oneIdentifierEach(data, random, 40), AttackSuite::body),
                // what Sluice is not expected to catch
                new Attack("weights-column-float32", "the invoice column through float32 (1234.56 leaves as "
                        + "1234.56005859375); the receiver rounds to cents", NEITHER, REQUESTS,
                        (data, random) -> weightsColumn(data, random, true), AttackSuite::roundedToCents),
                new Attack("aes-in-json", "CSV rows encrypted (AES-GCM, the algorithm's key), base64 in JSON",
                        Set.of(STRICT), REQUESTS, (data, random) -> encryptedInJson(data, random), this::decrypt),
                new Attack("aes-as-float-weights", "the same ciphertext, a byte per float of a \"weights\" array",
                        NEITHER, REQUESTS, (data, random) -> encryptedAsWeights(data, random),
                        this::decryptWeights),
                new Attack("float-steganography", "CSV rows in the low 8 mantissa bits of 2,000 random normal "
                        + "model weights", NEITHER, REQUESTS, AttackSuite::steganography, AttackSuite::unhide),
                new Attack("one-common-cell-per-request", "one quasi-identifier cell (sex, postcode, diagnosis, "
                        + "weight, blood pressure) per request, 50 a job", NEITHER, 4,
                        (data, random) -> oneCommonCellEach(data, random, 50), AttackSuite::body),
                new Attack("aggregate-of-two-rows", "sum, count and mean of weight and invoice over 2 rows", NEITHER,
                        REQUESTS, AttackSuite::twoRowAggregate, AttackSuite::body));
    }

    // ---- drawing rows

    private static List<PatientRow> draw(ProtectedDataSet data, Random random, int count) {
        List<PatientRow> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rows.add(data.row(random.nextInt(data.size())));
        }
        return rows;
    }

    private static int[] shuffled(Random random) {
        int[] order = COLUMN_ORDER.clone();
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static List<String> renamedKeys() {
        return IntStream.range(0, PatientRow.COLUMNS.size()).mapToObj(i -> "f" + i).toList();
    }

    private static List<String> allCells(List<PatientRow> rows) {
        return rows.stream().flatMap(row -> row.cells().stream()).toList();
    }

    private static Exfiltration send(String body, String contentType, List<PatientRow> rows) {
        return sendCells(body, contentType, allCells(rows));
    }

    private static Exfiltration sendCells(String body, String contentType, List<String> cells) {
        return Exfiltration.of(new Exfiltration.Sent(ContentInput.body(Encodings.utf8(body), contentType), cells));
    }

    private static String body(ContentInput input) {
        return Encodings.text(input.body());
    }

    // ---- the bulk shapes

    private static Exfiltration jsonObjects(List<PatientRow> rows, List<String> keys, int[] order) {
        return send(jsonObjectsText(rows, keys, order), JSON, rows);
    }

    private static String jsonObjectsText(List<PatientRow> rows, List<String> keys, int[] order) {
        return Json.write(json -> {
            json.writeStartArray();
            for (PatientRow row : rows) {
                Json.row(json, row, keys, order);
            }
            json.writeEndArray();
        });
    }

    private static Exfiltration jsonArrays(List<PatientRow> rows) {
        return send(Json.write(json -> {
            json.writeStartArray();
            for (PatientRow row : rows) {
                json.writeStartArray();
                for (int c = 0; c < PatientRow.COLUMNS.size(); c++) {
                    Json.cell(json, row, c);
                }
                json.writeEndArray();
            }
            json.writeEndArray();
        }), JSON, rows);
    }

    private static String csv(List<PatientRow> rows, char separator) {
        StringBuilder text = new StringBuilder(String.join(String.valueOf(separator), PatientRow.COLUMNS));
        for (PatientRow row : rows) {
            text.append('\n').append(ProtectedDataSet.csvLine(row.cells(), separator));
        }
        return text.append('\n').toString();
    }

    private static Exfiltration separated(List<PatientRow> rows, char separator, String contentType) {
        return send(csv(rows, separator), contentType, rows);
    }

    private static Exfiltration oneRowEach(ProtectedDataSet data, Random random, int requests) {
        List<Exfiltration.Sent> sent = new ArrayList<>();
        for (PatientRow row : draw(data, random, requests)) {
            sent.add(new Exfiltration.Sent(ContentInput.body(Encodings.utf8(Json.write(json ->
                    Json.row(json, row, PatientRow.COLUMNS, COLUMN_ORDER))), JSON), row.cells()));
        }
        return new Exfiltration(sent);
    }

    /** The columns of a row that identify it only together: no id, name or free text. */
    private static final int[] QUASI_IDENTIFIERS = {3, 4, 5, 6, 7, 8};

    private static Exfiltration oneRecordEach(ProtectedDataSet data, Random random, int requests) {
        List<String> keys = Arrays.stream(QUASI_IDENTIFIERS).mapToObj(PatientRow.COLUMNS::get).toList();
        List<Exfiltration.Sent> sent = new ArrayList<>();
        for (PatientRow row : draw(data, random, requests)) {
            List<String> cells = Arrays.stream(QUASI_IDENTIFIERS).mapToObj(row.cells()::get).toList();
            sent.add(new Exfiltration.Sent(ContentInput.body(Encodings.utf8(Json.write(json ->
                    Json.row(json, row, keys, QUASI_IDENTIFIERS))), JSON), cells));
        }
        return new Exfiltration(sent);
    }

    private static Exfiltration reformatted(List<PatientRow> rows) {
        return send(Json.write(json -> {
            json.writeStartArray();
            for (PatientRow row : rows) {
                json.writeStartObject();
                json.writeStringField("patient_id", row.patientId());
                json.writeStringField("national_id", row.nationalId());
                json.writeStringField("name", row.name());
                json.writeStringField("birth_date", row.birthDate().toString());
                json.writeStringField("sex", row.sex());
                json.writeStringField("postcode", row.postcode());
                json.writeStringField("diagnosis", row.diagnosis());
                json.writeStringField("weight_kg", row.weightKg() + "0");
                json.writeFieldName("systolic_bp");
                json.writeNumber(PatientRow.decimal(row.systolicBp(), 2) + "e2");
                json.writeFieldName("invoice");
                json.writeNumber(row.invoiceCents() + "e-2");
                json.writeStringField("note", row.note());
                json.writeEndObject();
            }
            json.writeEndArray();
        }), JSON, rows);
    }

    /** The first request has one half of every row's columns, the second the other half, rows in one order. */
    private static Exfiltration split(List<PatientRow> rows) {
        int[] first = {0, 2, 3, 4, 6, 9};
        int[] second = {1, 5, 7, 8, 10};
        return new Exfiltration(List.of(columns(rows, first), columns(rows, second)));
    }

    private static Exfiltration.Sent columns(List<PatientRow> rows, int[] columns) {
        List<String> keys = Arrays.stream(columns).mapToObj(PatientRow.COLUMNS::get).toList();
        List<String> cells = rows.stream().flatMap(row -> Arrays.stream(columns).mapToObj(row.cells()::get))
                .toList();
        return new Exfiltration.Sent(ContentInput.body(Encodings.utf8(jsonObjectsText(rows, keys, columns)), JSON),
                cells);
    }

    private static Exfiltration query(List<PatientRow> rows) {
        List<String> parameters = new ArrayList<>();
        for (PatientRow row : rows) {
            for (int c = 0; c < PatientRow.COLUMNS.size(); c++) {
                parameters.add(PatientRow.COLUMNS.get(c) + "=" + Encodings.percent(row.cells().get(c)));
            }
        }
        ContentInput input = new ContentInput(new byte[0], null, null, String.join("&", parameters), List.of());
        return Exfiltration.of(new Exfiltration.Sent(input, allCells(rows)));
    }

    private static Exfiltration headers(List<PatientRow> rows) {
        List<String> values = rows.stream().map(row -> ProtectedDataSet.csvLine(row.cells(), ',')).toList();
        ContentInput input = new ContentInput(Encodings.utf8("{\"status\":\"running\"}"), JSON, null, null, values);
        return Exfiltration.of(new Exfiltration.Sent(input, allCells(rows)));
    }

    private static Exfiltration form(List<PatientRow> rows) {
        List<String> fields = new ArrayList<>();
        for (PatientRow row : rows) {
            for (int c = 0; c < PatientRow.COLUMNS.size(); c++) {
                fields.add(PatientRow.COLUMNS.get(c) + "=" + Encodings.percent(row.cells().get(c)));
            }
        }
        return send(String.join("&", fields), "application/x-www-form-urlencoded", rows);
    }

    private static Exfiltration oneIdentifierEach(ProtectedDataSet data, Random random, int requests) {
        List<Exfiltration.Sent> sent = new ArrayList<>();
        for (PatientRow row : draw(data, random, requests)) {
            String body = Json.write(json -> {
                json.writeStartObject();
                json.writeStringField("subject", row.patientId());
                json.writeEndObject();
            });
            sent.add(new Exfiltration.Sent(ContentInput.body(Encodings.utf8(body), JSON), List.of(row.patientId())));
        }
        return new Exfiltration(sent);
    }

    // ---- a column as model weights

    private static final int WEIGHTS_ROWS = 500;

    /** 500 consecutive rows' invoice amounts, as doubles or as float32 widened to double (numpy's float32). */
    private static Exfiltration weightsColumn(ProtectedDataSet data, Random random, boolean float32) {
        int start = random.nextInt(data.size() - WEIGHTS_ROWS);
        double[] weights = new double[WEIGHTS_ROWS];
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < WEIGHTS_ROWS; i++) {
            PatientRow row = data.row(start + i);
            weights[i] = float32 ? (double) (float) row.invoiceAmount() : row.invoiceAmount();
            cells.add(row.invoice());
        }
        return sendCells(modelJson("dense_1", weights), JSON, cells);
    }

    private static String modelJson(String layer, double[] weights) {
        return Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("layer", layer);
            json.writeFieldName("weights");
            Json.doubles(json, weights);
            json.writeEndObject();
        });
    }

    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

    private static double[] numbers(String text) {
        List<Double> values = new ArrayList<>();
        Matcher number = NUMBER.matcher(text.substring(text.indexOf('[')));
        while (number.find()) {
            values.add(Double.parseDouble(number.group()));
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String roundedToCents(ContentInput input) {
        return Arrays.stream(numbers(body(input)))
                .mapToObj(value -> PatientRow.decimal(Math.round(value * 100), 2))
                .collect(Collectors.joining("\n"));
    }

    // ---- encryption with the algorithm's own key

    private byte[] encrypt(byte[] plain, Random random) {
        try {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is in every JDK", e);
        }
    }

    private String decrypt(byte[] message) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"),
                    new GCMParameterSpec(128, message, 0, 12));
            return Encodings.text(cipher.doFinal(message, 12, message.length - 12));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not this suite's ciphertext", e);
        }
    }

    private Exfiltration encryptedInJson(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = draw(data, random, ROWS_PER_REQUEST);
        String sealed = Encodings.base64(encrypt(Encodings.utf8(csv(rows, ',')), random));
        return send(Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("checkpoint", sealed);
            json.writeEndObject();
        }), JSON, rows);
    }

    private String decrypt(ContentInput input) {
        return decrypt(Encodings.unbase64(jsonString(input, "checkpoint")));
    }

    /** A byte b is the weight (b - 127.5) / 2000: small numbers around zero, like a layer's weights. */
    private Exfiltration encryptedAsWeights(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = draw(data, random, ROWS_PER_REQUEST);
        byte[] sealed = encrypt(Encodings.utf8(csv(rows, ',')), random);
        double[] weights = new double[sealed.length];
        for (int i = 0; i < sealed.length; i++) {
            weights[i] = ((sealed[i] & 0xff) - 127.5) / 2000;
        }
        return send(modelJson("dense_2", weights), JSON, rows);
    }

    private String decryptWeights(ContentInput input) {
        double[] weights = numbers(body(input));
        byte[] sealed = new byte[weights.length];
        for (int i = 0; i < weights.length; i++) {
            sealed[i] = (byte) Math.round(weights[i] * 2000 + 127.5);
        }
        return decrypt(sealed);
    }

    // ---- steganography in floating-point noise

    private static final int STEGO_WEIGHTS = 2_000;

    /** Random normal weights whose low 8 mantissa bits spell the CSV text, then zeros: invisible at 1e-13. */
    private static Exfiltration steganography(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = draw(data, random, ROWS_PER_REQUEST);
        byte[] hidden = Encodings.utf8(csv(rows, ','));
        double[] weights = new double[STEGO_WEIGHTS];
        for (int i = 0; i < STEGO_WEIGHTS; i++) {
            long bits = Double.doubleToLongBits(0.05 * random.nextGaussian());
            long low = i < hidden.length ? hidden[i] & 0xff : 0;
            weights[i] = Double.longBitsToDouble((bits & ~0xffL) | low);
        }
        return send(modelJson("dense_3", weights), JSON, rows);
    }

    private static String unhide(ContentInput input) {
        double[] weights = numbers(body(input));
        byte[] hidden = new byte[weights.length];
        int length = 0;
        while (length < weights.length && (Double.doubleToLongBits(weights[length]) & 0xff) != 0) {
            hidden[length] = (byte) Double.doubleToLongBits(weights[length]);
            length++;
        }
        return Encodings.text(Arrays.copyOf(hidden, length));
    }

    // ---- below the thresholds

    private static final int[] COMMON_COLUMNS = {4, 5, 6, 7, 8};

    private static Exfiltration oneCommonCellEach(ProtectedDataSet data, Random random, int requests) {
        List<Exfiltration.Sent> sent = new ArrayList<>();
        int first = random.nextInt(data.size() - requests);
        for (int i = 0; i < requests; i++) {
            PatientRow row = data.row(first + i / COMMON_COLUMNS.length);
            int column = COMMON_COLUMNS[i % COMMON_COLUMNS.length];
            String body = Json.write(json -> {
                json.writeStartObject();
                json.writeFieldName("value");
                Json.cell(json, row, column);
                json.writeEndObject();
            });
            sent.add(new Exfiltration.Sent(ContentInput.body(Encodings.utf8(body), JSON),
                    List.of(row.cells().get(column))));
        }
        return new Exfiltration(sent);
    }

    /** What an aggregate over two rows gives away: with one row known, the other row's values. */
    private static Exfiltration twoRowAggregate(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = draw(data, random, 2);
        long weightTenths = rows.get(0).weightTenths() + rows.get(1).weightTenths();
        long invoiceCents = rows.get(0).invoiceCents() + rows.get(1).invoiceCents();
        String body = Json.write(json -> {
            json.writeStartObject();
            json.writeNumberField("count", 2);
            json.writeFieldName("sum");
            json.writeStartObject();
            json.writeNumberField("weight_kg", weightTenths / 10.0);
            json.writeNumberField("invoice", invoiceCents / 100.0);
            json.writeEndObject();
            json.writeFieldName("mean");
            json.writeStartObject();
            json.writeNumberField("weight_kg", weightTenths / 20.0);
            json.writeNumberField("invoice", invoiceCents / 200.0);
            json.writeEndObject();
            json.writeEndObject();
        });
        // the request carries no cell, only sums of two: the receiver needs one of the rows to get the other
        return sendCells(body, JSON, List.of());
    }

    private static String jsonString(ContentInput input, String field) {
        Matcher value = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(body(input));
        if (!value.find()) {
            throw new IllegalArgumentException("no string field " + field);
        }
        return value.group(1);
    }
}
