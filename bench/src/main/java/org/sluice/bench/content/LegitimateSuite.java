package org.sluice.bench.content;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.sluice.policy.content.ContentInput;

/**
 * What an allowed algorithm sends in normal work, after the vantage6 examples (the average algorithm's partial
 * {@code {"sum", "count"}}, subtasks created with a base64 input, results, status polls of the algorithm client)
 * and Compute-to-Data results (aggregates and trained models). Every value is computed over a part of the
 * protected data set ("a node's share": 2,000 to 20,000 consecutive rows), so the numbers are the ones a real run
 * would send, not constants.
 */
final class LegitimateSuite {

    /** Requests per kind. */
    static final int REQUESTS = 100;
    /** Histogram cells below this count are left out, as DataSHIELD's nfilter.tab does. */
    static final int MIN_CELL_COUNT = 10;

    private static final String JSON = "application/json";
    private static final Map<String, ToDoubleFunction<PatientRow>> NUMERIC = numericColumns();

    private LegitimateSuite() {
    }

    static List<LegitimateKind> kinds() {
        return List.of(
                new LegitimateKind("partial-sums", "vantage6 average_partial: {\"sum\", \"count\"} of one column",
                        REQUESTS, LegitimateSuite::partialSum),
                new LegitimateKind("means", "means of 4 columns and the count", REQUESTS, LegitimateSuite::means),
                new LegitimateKind("histograms", "counts per diagnosis, age band and sex; cells under "
                        + MIN_CELL_COUNT + " left out", REQUESTS, LegitimateSuite::histogram),
                new LegitimateKind("regression", "linear regression of blood pressure on age, weight and sex: "
                        + "coefficients, standard errors, R2", REQUESTS, LegitimateSuite::regression),
                new LegitimateKind("logistic-model", "logistic regression (hypertension on age, weight, blood "
                        + "pressure), 50 gradient steps on up to 5,000 rows", REQUESTS, LegitimateSuite::logistic),
                new LegitimateKind("model-weights", "a 4-64-32-1 network's 2,433 float32 weights (random normal, "
                        + "the output layer moved by the share's hypertension rate)", REQUESTS,
                        LegitimateSuite::network),
                new LegitimateKind("correlation-matrix", "Pearson correlations of age, weight, blood pressure, "
                        + "invoice", REQUESTS, LegitimateSuite::correlations),
                new LegitimateKind("summary-statistics", "min, quartiles, max, mean, sd of 4 columns (min, "
                        + "quartiles and max are cells of the data)", REQUESTS, LegitimateSuite::summary),
                new LegitimateKind("status-polls", "GET run?task_id=..&page=.. with the container's bearer token",
                        REQUESTS, LegitimateSuite::statusPoll),
                new LegitimateKind("task-create", "POST task: a subtask whose input is base64 JSON, per "
                        + "organization", REQUESTS, LegitimateSuite::taskCreate),
                new LegitimateKind("task-result", "a run's result: base64 JSON of a partial, log lines, status",
                        REQUESTS, LegitimateSuite::taskResult));
    }

    private static Map<String, ToDoubleFunction<PatientRow>> numericColumns() {
        Map<String, ToDoubleFunction<PatientRow>> columns = new LinkedHashMap<>();
        columns.put("age", row -> row.ageOn(ProtectedDataSet.AGE_DAY));
        columns.put("weight_kg", PatientRow::weight);
        columns.put("systolic_bp", PatientRow::systolicBp);
        columns.put("invoice", PatientRow::invoiceAmount);
        return columns;
    }

    /** A node's share: 2,000 to 20,000 consecutive rows. */
    private static List<PatientRow> share(ProtectedDataSet data, Random random) {
        int size = Math.min(data.size(), 2_000 + random.nextInt(18_001));
        int start = random.nextInt(data.size() - size + 1);
        return data.rows().subList(start, start + size);
    }

    private static double[] column(List<PatientRow> rows, ToDoubleFunction<PatientRow> column) {
        return rows.stream().mapToDouble(column).toArray();
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).sum() / values.length;
    }

    private static double sd(double[] values) {
        double mean = mean(values);
        double squares = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(squares / (values.length - 1));
    }

    private static ContentInput json(Json.Body body) {
        return ContentInput.body(Encodings.utf8(Json.write(body)), JSON);
    }

    // ---- aggregates

    private static ContentInput partialSum(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = share(data, random);
        List<String> names = List.copyOf(NUMERIC.keySet());
        String name = names.get(random.nextInt(names.size()));
        double sum = Arrays.stream(column(rows, NUMERIC.get(name))).sum();
        return json(json -> {
            json.writeStartObject();
            json.writeStringField("column", name);
            json.writeNumberField("sum", sum);
            json.writeNumberField("count", rows.size());
            json.writeEndObject();
        });
    }

    private static ContentInput means(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = share(data, random);
        return json(json -> {
            json.writeStartObject();
            json.writeFieldName("mean");
            json.writeStartObject();
            for (Map.Entry<String, ToDoubleFunction<PatientRow>> column : NUMERIC.entrySet()) {
                json.writeNumberField(column.getKey(), mean(column(rows, column.getValue())));
            }
            json.writeEndObject();
            json.writeNumberField("count", rows.size());
            json.writeEndObject();
        });
    }

    private static ContentInput histogram(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = share(data, random);
        Map<String, Integer> diagnosis = new TreeMap<>();
        Map<String, Integer> ageBand = new TreeMap<>();
        Map<String, Integer> sex = new TreeMap<>();
        for (PatientRow row : rows) {
            diagnosis.merge(row.diagnosis(), 1, Integer::sum);
            int age = row.ageOn(ProtectedDataSet.AGE_DAY);
            ageBand.merge((age / 10 * 10) + "-" + (age / 10 * 10 + 9), 1, Integer::sum);
            sex.merge(row.sex(), 1, Integer::sum);
        }
        return json(json -> {
            json.writeStartObject();
            counts(json, "diagnosis", diagnosis);
            counts(json, "age_band", ageBand);
            counts(json, "sex", sex);
            json.writeNumberField("count", rows.size());
            json.writeEndObject();
        });
    }

    private static void counts(JsonGenerator json, String name, Map<String, Integer> counts) throws IOException {
        json.writeFieldName(name);
        json.writeStartObject();
        int suppressed = 0;
        for (Map.Entry<String, Integer> cell : counts.entrySet()) {
            if (cell.getValue() >= MIN_CELL_COUNT) {
                json.writeNumberField(cell.getKey(), cell.getValue());
            } else {
                suppressed++;
            }
        }
        json.writeNumberField("suppressed", suppressed);
        json.writeEndObject();
    }

    /** Ordinary least squares by the normal equations: systolic = b0 + b1 age + b2 weight + b3 female. */
    private static ContentInput regression(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = share(data, random);
        int p = 4;
        double[][] xtx = new double[p][p];
        double[] xty = new double[p];
        for (PatientRow row : rows) {
            double[] x = features(row);
            for (int i = 0; i < p; i++) {
                xty[i] += x[i] * row.systolicBp();
                for (int j = 0; j < p; j++) {
                    xtx[i][j] += x[i] * x[j];
                }
            }
        }
        double[][] inverse = invert(xtx);
        double[] beta = new double[p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                beta[i] += inverse[i][j] * xty[j];
            }
        }
        double residuals = 0;
        double total = 0;
        double meanY = rows.stream().mapToDouble(PatientRow::systolicBp).average().orElseThrow();
        for (PatientRow row : rows) {
            double[] x = features(row);
            double fitted = 0;
            for (int i = 0; i < p; i++) {
                fitted += beta[i] * x[i];
            }
            residuals += (row.systolicBp() - fitted) * (row.systolicBp() - fitted);
            total += (row.systolicBp() - meanY) * (row.systolicBp() - meanY);
        }
        double sigma2 = residuals / (rows.size() - p);
        String[] names = {"intercept", "age", "weight_kg", "female"};
        double r2 = 1 - residuals / total;
        return json(json -> {
            json.writeStartObject();
            json.writeFieldName("coefficients");
            json.writeStartObject();
            for (int i = 0; i < p; i++) {
                json.writeFieldName(names[i]);
                json.writeStartObject();
                json.writeNumberField("estimate", beta[i]);
                json.writeNumberField("se", Math.sqrt(sigma2 * inverse[i][i]));
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeNumberField("r2", r2);
            json.writeNumberField("n", rows.size());
            json.writeEndObject();
        });
    }

    private static double[] features(PatientRow row) {
        return new double[] {1, row.ageOn(ProtectedDataSet.AGE_DAY), row.weight(), "F".equals(row.sex()) ? 1 : 0};
    }

    /** Gauss-Jordan with partial pivoting; the matrices here are 4 x 4 and well conditioned. */
    private static double[][] invert(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(matrix[i], 0, a[i], 0, n);
            a[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            double scale = a[col][col];
            for (int c = 0; c < 2 * n; c++) {
                a[col][c] /= scale;
            }
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double factor = a[r][col];
                    for (int c = 0; c < 2 * n; c++) {
                        a[r][c] -= factor * a[col][c];
                    }
                }
            }
        }
        double[][] inverse = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], n, inverse[i], 0, n);
        }
        return inverse;
    }

    /** Rows a logistic model is trained on: at most this many of the share, so 100 models train in seconds. */
    private static final int TRAINING_ROWS = 5_000;

    /** Hypertension (I10) on standardised age, weight and blood pressure; 50 full-batch gradient steps. */
    private static ContentInput logistic(ProtectedDataSet data, Random random) {
        List<PatientRow> share = share(data, random);
        List<PatientRow> rows = share.subList(0, Math.min(share.size(), TRAINING_ROWS));
        double[][] x = standardised(rows);
        double[] y = rows.stream().mapToDouble(row -> "I10".equals(row.diagnosis()) ? 1 : 0).toArray();
        double[] w = new double[4];
        double rate = 0.5;
        for (int step = 0; step < 50; step++) {
            double[] gradient = new double[4];
            for (int r = 0; r < rows.size(); r++) {
                double z = w[0] + w[1] * x[r][0] + w[2] * x[r][1] + w[3] * x[r][2];
                double error = 1 / (1 + Math.exp(-z)) - y[r];
                gradient[0] += error;
                for (int i = 1; i < 4; i++) {
                    gradient[i] += error * x[r][i - 1];
                }
            }
            for (int i = 0; i < 4; i++) {
                w[i] -= rate * gradient[i] / rows.size();
            }
        }
        return json(json -> {
            json.writeStartObject();
            json.writeNumberField("intercept", w[0]);
            json.writeFieldName("coefficients");
            Json.doubles(json, Arrays.copyOfRange(w, 1, 4));
            json.writeNumberField("iterations", 50);
            json.writeNumberField("n", rows.size());
            json.writeEndObject();
        });
    }

    /** Age, weight and blood pressure of each row, centred and scaled by the share's own mean and sd. */
    private static double[][] standardised(List<PatientRow> rows) {
        List<ToDoubleFunction<PatientRow>> columns = List.of(NUMERIC.get("age"), NUMERIC.get("weight_kg"),
                NUMERIC.get("systolic_bp"));
        double[][] x = new double[rows.size()][columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            double[] values = column(rows, columns.get(c));
            double mean = mean(values);
            double sd = sd(values);
            for (int r = 0; r < rows.size(); r++) {
                x[r][c] = (values[r] - mean) / sd;
            }
        }
        return x;
    }

    /**
     * A 4-64-32-1 network: He-initialised weights whose output layer is moved by the share's hypertension rate and
     * mean input, so the numbers depend on the data as a first round of training would (a stand-in for training:
     * what matters here is the shape, 2,433 float32 weights), sent as float32 widened to double, as numpy's
     * tolist() writes them.
     */
    private static ContentInput network(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = share(data, random);
        int[] sizes = {4, 64, 32, 1};
        double[][] weights = new double[3][];
        double[][] biases = new double[3][];
        for (int layer = 0; layer < 3; layer++) {
            weights[layer] = new double[sizes[layer] * sizes[layer + 1]];
            biases[layer] = new double[sizes[layer + 1]];
            double scale = Math.sqrt(2.0 / sizes[layer]);
            for (int i = 0; i < weights[layer].length; i++) {
                weights[layer][i] = scale * random.nextGaussian();
            }
        }
        double[][] x = standardised(rows);
        double meanTarget = rows.stream().mapToDouble(row -> "I10".equals(row.diagnosis()) ? 1 : 0).average()
                .orElseThrow();
        double meanInput = Arrays.stream(x).mapToDouble(r -> r[0] + r[1] + r[2]).average().orElseThrow();
        for (int i = 0; i < weights[2].length; i++) {
            weights[2][i] -= 0.01 * (0.5 - meanTarget) * (1 + meanInput);
        }
        biases[2][0] -= 0.01 * (0.5 - meanTarget);
        return json(json -> {
            json.writeStartObject();
            json.writeFieldName("layers");
            json.writeStartArray();
            for (int layer = 0; layer < 3; layer++) {
                json.writeStartObject();
                json.writeStringField("name", "dense_" + layer);
                json.writeFieldName("weights");
                Json.doubles(json, float32(weights[layer]));
                json.writeFieldName("bias");
                Json.doubles(json, float32(biases[layer]));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeNumberField("n", rows.size());
            json.writeEndObject();
        });
    }

    private static double[] float32(double[] values) {
        return Arrays.stream(values).map(v -> (double) (float) v).toArray();
    }

    private static ContentInput correlations(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = share(data, random);
        List<String> names = List.copyOf(NUMERIC.keySet());
        double[][] columns = names.stream().map(name -> column(rows, NUMERIC.get(name))).toArray(double[][]::new);
        return json(json -> {
            json.writeStartObject();
            json.writeFieldName("variables");
            json.writeStartArray();
            for (String name : names) {
                json.writeString(name);
            }
            json.writeEndArray();
            json.writeFieldName("matrix");
            json.writeStartArray();
            for (double[] a : columns) {
                double[] row = new double[columns.length];
                for (int j = 0; j < columns.length; j++) {
                    row[j] = pearson(a, columns[j]);
                }
                Json.doubles(json, row);
            }
            json.writeEndArray();
            json.writeNumberField("n", rows.size());
            json.writeEndObject();
        });
    }

    private static double pearson(double[] a, double[] b) {
        double meanA = mean(a);
        double meanB = mean(b);
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (a[i] - meanA) * (b[i] - meanB);
            aa += (a[i] - meanA) * (a[i] - meanA);
            bb += (b[i] - meanB) * (b[i] - meanB);
        }
        return ab / Math.sqrt(aa * bb);
    }

    /**
     * Five-number summaries. Min, quartiles and max are values of the data (the lower of the two middle values,
     * as a nearest-rank quantile is): an invoice's quartile is one patient's exact amount, which is why such
     * statistics are risky and why they are in this suite.
     */
    private static ContentInput summary(ProtectedDataSet data, Random random) {
        List<PatientRow> rows = share(data, random);
        return json(json -> {
            json.writeStartObject();
            for (Map.Entry<String, ToDoubleFunction<PatientRow>> column : NUMERIC.entrySet()) {
                double[] values = column(rows, column.getValue());
                double[] sorted = values.clone();
                Arrays.sort(sorted);
                json.writeFieldName(column.getKey());
                json.writeStartObject();
                boolean money = column.getKey().equals("invoice");
                boolean tenths = column.getKey().equals("weight_kg");
                for (double q : new double[] {0, 0.25, 0.5, 0.75, 1}) {
                    double value = sorted[(int) Math.ceil(q * sorted.length) - (q == 0 ? 0 : 1)];
                    String name = q == 0 ? "min" : q == 1 ? "max" : "q" + Math.round(q * 100);
                    json.writeFieldName(name);
                    json.writeNumber(money ? PatientRow.decimal(Math.round(value * 100), 2)
                            : tenths ? PatientRow.decimal(Math.round(value * 10), 1)
                            : String.valueOf((long) value));
                }
                json.writeNumberField("mean", mean(values));
                json.writeNumberField("sd", sd(values));
                json.writeEndObject();
            }
            json.writeNumberField("n", rows.size());
            json.writeEndObject();
        });
    }

    // ---- the algorithm client's own traffic

    private static ContentInput statusPoll(ProtectedDataSet data, Random random) {
        int task = 1_000 + random.nextInt(9_000);
        String query = "task_id=" + task + "&page=" + (1 + random.nextInt(3)) + "&per_page=10";
        return new ContentInput(new byte[0], null, null, query,
                List.of("Bearer " + containerToken(random, task), "application/json", "python-requests/2.32.3"));
    }

    /** A JWT like the one a vantage6 node gives an algorithm container: JSON claims and a 32-byte signature. */
    private static String containerToken(Random random, int task) {
        String header = base64Url(Encodings.utf8("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        long issued = 1_796_000_000L + random.nextInt(1_000_000);
        String claims = base64Url(Encodings.utf8("{\"fresh\":false,\"iat\":" + issued + ",\"jti\":\""
                + java.util.UUID.nameUUIDFromBytes(Encodings.utf8("t" + issued)) + "\",\"type\":\"access\","
                + "\"sub\":{\"client_type\":\"container\",\"node_id\":3,\"organization_id\":2,"
                + "\"collaboration_id\":1,\"task_id\":" + task + ",\"image\":\"registry.example.org/algorithms/"
                + "average@sha256:5e1c0a2b\",\"databases\":[{\"label\":\"default\"}]},\"nbf\":" + issued
                + ",\"exp\":" + (issued + 86_400) + "}"));
        byte[] signature = new byte[32];
        random.nextBytes(signature);
        return header + "." + claims + "." + base64Url(signature);
    }

    private static String base64Url(byte[] bytes) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The algorithm client's create: the input serialised to JSON and base64, once per organization. */
    private static ContentInput taskCreate(ProtectedDataSet data, Random random) {
        List<String> names = List.copyOf(NUMERIC.keySet());
        String column = names.get(random.nextInt(names.size()));
        String input = Encodings.base64(Encodings.utf8("{\"method\":\"average_partial\",\"kwargs\":"
                + "{\"column_name\":\"" + column + "\"}}"));
        int organizations = 2 + random.nextInt(4);
        return json(json -> {
            json.writeStartObject();
            json.writeStringField("name", "subtask");
            json.writeStringField("image", "registry.example.org/algorithms/average@sha256:5e1c0a2b");
            json.writeNumberField("collaboration_id", 1);
            json.writeStringField("description", "");
            json.writeFieldName("organizations");
            json.writeStartArray();
            for (int id = 1; id <= organizations; id++) {
                json.writeStartObject();
                json.writeNumberField("id", id);
                json.writeStringField("input", input);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeFieldName("databases");
            json.writeStartArray();
            json.writeStartObject();
            json.writeStringField("label", "default");
            json.writeEndObject();
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** A run's result as the node reports it: the algorithm's output (a partial) as base64 JSON, and its log. */
    private static ContentInput taskResult(ProtectedDataSet data, Random random) {
        ContentInput partial = partialSum(data, random);
        String result = Encodings.base64(partial.body());
        return json(json -> {
            json.writeStartObject();
            json.writeStringField("result", result);
            json.writeStringField("log", "info > Reading data from default\ninfo > Computing partial average\n"
                    + "info > Done, " + Encodings.text(partial.body()).length() + " bytes of output\n");
            json.writeStringField("status", "completed");
            json.writeEndObject();
        });
    }
}
