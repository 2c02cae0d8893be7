package org.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sluice.policy.content.ProtectedDataScanner.Syntax;
import org.sluice.policy.content.ProtectedFindings;
import org.sluice.policy.fingerprint.FingerprintFormatException;
import org.sluice.policy.fingerprint.FingerprintIndex;
import org.sluice.policy.fingerprint.FingerprintIndexBuilder;
import org.sluice.policy.fingerprint.FingerprintScanner;

/**
 * Time to scan a body of about 1 MiB against the index of a 1,000,000-row table (8 columns like a hospital's:
 * an id, a birth date, sex, a postcode, a diagnosis, a weight, an invoice amount, a short note), in JSON, CSV and
 * text, for bodies that are not the data (the common case: metrics, model weights, other records) and bodies
 * that are. MB/s is the body's size over the average time; setup prints both and what each body finds.
 *
 * <p>The index is built once (about a minute) and kept in the temporary directory, so each fork only reads it;
 * the rows are a pure function of their number, so the matching bodies need no copy of the data.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class ContentScanBenchmark {

    static final int ROWS = 1_000_000;
    private static final int BODY_BYTES = 1 << 20;
    private static final List<String> COLUMNS =
            List.of("patient_id", "birth_date", "sex", "postcode", "diagnosis", "weight_kg", "invoice", "note");
    private static final String[] WORDS = ("pain fever cough rash dizzy tired nausea swelling stable improved "
            + "worse follow-up referred admitted discharged mild severe chronic acute left right").split(" ");

    @Param({"jsonRecords", "jsonWeights", "jsonRows", "csvOther", "csvRows", "textOther", "textRows"})
    public String body;

    private FingerprintScanner scanner;
    private byte[] bytes;
    private Syntax syntax;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        FingerprintIndex index = loadOrBuildIndex();
        scanner = FingerprintScanner.of(index, index.k());
        bytes = body(body).getBytes(StandardCharsets.UTF_8);
        syntax = body.startsWith("json") ? Syntax.JSON : body.startsWith("csv") ? Syntax.CSV : Syntax.TEXT;
        ProtectedFindings findings = scan();
        System.out.printf("%n%s: %d bytes, %d rows and %d rare values found; index %d rows, %d rare values, "
                        + "%d pairs, %d pair values, %d bytes%n", body, bytes.length, findings.rows(),
                findings.rareValues(), index.rows(), index.rareValues(), index.rowPairs(), index.pairValues(),
                index.toBytes().length);
    }

    @Benchmark
    public ProtectedFindings scan() {
        ProtectedFindings findings = new ProtectedFindings();
        scanner.scan(bytes, 0, bytes.length, syntax, findings);
        return findings;
    }

    /** Row {@code i} of the table: the same every time, without holding the table. */
    static List<String> row(int i) {
        SplittableRandom random = new SplittableRandom(0x5eed_0000_0000L + i);
        return List.of(
                "P" + (10_000_000 + i),
                LocalDate.of(1940, 1, 1).plusDays(random.nextInt(65 * 365)).toString(),
                random.nextBoolean() ? "F" : "M",
                String.valueOf(1000 + random.nextInt(9000)),
                "ICD-" + (char) ('A' + random.nextInt(20)) + random.nextInt(10),
                (40 + random.nextInt(110)) + "." + random.nextInt(10),
                random.nextInt(100_000) + "." + String.format("%02d", random.nextInt(100)),
                WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + ", "
                        + WORDS[random.nextInt(WORDS.length)] + " " + random.nextInt(30) + " days");
    }

    private static FingerprintIndex loadOrBuildIndex() throws IOException, FingerprintFormatException {
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "sluice-content-scan-" + ROWS + "-v2.sfp");
        if (Files.exists(file)) {
            return FingerprintIndex.fromBytes(Files.readAllBytes(file));
        }
        FingerprintIndexBuilder builder = FingerprintIndexBuilder.forColumns(COLUMNS);
        for (int i = 0; i < ROWS; i++) {
            builder.addRow(row(i));
        }
        FingerprintIndex index = builder.build();
        Path partial = Files.createTempFile(file.getParent(), "sluice-content-scan", ".partial");
        Files.write(partial, index.toBytes());
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return index;
    }

    static String body(String kind) {
        SplittableRandom random = new SplittableRandom(42);
        StringBuilder out = new StringBuilder(BODY_BYTES + 4096);
        switch (kind) {
            case "jsonRecords" -> {
                out.append('[');
                for (int i = 0; out.length() < BODY_BYTES; i++) {
                    out.append(i == 0 ? "" : ",").append("{\"id\":\"Q-").append(random.nextInt(1_000_000))
                            .append("\",\"timestamp\":\"2025-").append(1 + random.nextInt(12)).append("-")
                            .append(1 + random.nextInt(28)).append("T10:").append(random.nextInt(60))
                            .append(":00Z\",\"site\":\"node-").append(random.nextInt(20))
                            .append("\",\"metric\":\"loss\",\"value\":").append(random.nextDouble())
                            .append(",\"count\":").append(random.nextInt(10_000))
                            .append(",\"tags\":[\"train\",\"fold-").append(random.nextInt(5)).append("\"]}");
                }
                out.append(']');
            }
            case "jsonWeights" -> {
                out.append("{\"round\":7,\"node\":\"hospital-a\",\"layers\":[");
                for (int layer = 0; out.length() < BODY_BYTES; layer++) {
                    out.append(layer == 0 ? "" : ",").append("{\"name\":\"dense_").append(layer)
                            .append("\",\"weights\":[");
                    for (int w = 0; w < 4096; w++) {
                        out.append(w == 0 ? "" : ",").append((float) (random.nextGaussian() * 0.05));
                    }
                    out.append("]}");
                }
                out.append("]}");
            }
            case "jsonRows" -> {
                out.append('[');
                for (int i = 0; out.length() < BODY_BYTES; i++) {
                    List<String> r = row(random.nextInt(ROWS));
                    out.append(i == 0 ? "" : ",").append('{');
                    for (int c = 0; c < COLUMNS.size(); c++) {
                        out.append(c == 0 ? "" : ",").append('"').append(COLUMNS.get(c)).append("\":\"")
                                .append(r.get(c)).append('"');
                    }
                    out.append('}');
                }
                out.append(']');
            }
            case "csvOther" -> {
                out.append("id,timestamp,site,metric,value,count\n");
                while (out.length() < BODY_BYTES) {
                    out.append("Q-").append(random.nextInt(1_000_000)).append(",2025-")
                            .append(1 + random.nextInt(12)).append('-').append(1 + random.nextInt(28))
                            .append(",node-").append(random.nextInt(20)).append(",loss,")
                            .append(random.nextDouble()).append(',').append(random.nextInt(10_000)).append('\n');
                }
            }
            case "csvRows" -> {
                out.append(String.join(",", COLUMNS)).append('\n');
                while (out.length() < BODY_BYTES) {
                    List<String> r = row(random.nextInt(ROWS));
                    List<String> cells = new ArrayList<>(r);
                    cells.set(7, '"' + r.get(7) + '"');
                    out.append(String.join(",", cells)).append('\n');
                }
            }
            case "textOther" -> {
                String[] prose = ("the model converged after several rounds and the validation loss kept falling "
                        + "while accuracy on the held out fold improved we report results per site below")
                        .split(" ");
                while (out.length() < BODY_BYTES) {
                    for (int w = 0; w < 12; w++) {
                        out.append(prose[random.nextInt(prose.length)]).append(' ');
                    }
                    out.append("site ").append(random.nextInt(20)).append(" scored ")
                            .append(String.format("%.4f", random.nextDouble())).append(" on 2025-0")
                            .append(1 + random.nextInt(9)).append("-1").append(random.nextInt(10)).append(". ");
                }
            }
            case "textRows" -> {
                while (out.length() < BODY_BYTES) {
                    List<String> r = row(random.nextInt(ROWS));
                    out.append("Patient ").append(r.get(0)).append(", born ").append(r.get(1))
                            .append(", lives in ").append(r.get(3)).append(" and weighs ").append(r.get(5))
                            .append(" kg; note: ").append(r.get(7)).append(".\n");
                }
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return out.toString();
    }

    /** Builds (or finds) the index and prints what each body finds, without JMH: a quick check of the setup. */
    public static void main(String[] args) throws Exception {
        for (String kind : List.of("jsonRecords", "jsonWeights", "jsonRows", "csvOther", "csvRows", "textOther",
                "textRows")) {
            ContentScanBenchmark benchmark = new ContentScanBenchmark();
            benchmark.body = kind;
            benchmark.setUp();
        }
    }
}
