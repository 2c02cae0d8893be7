package org.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
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
import org.sluice.policy.config.ContentConfig;
import org.sluice.policy.content.CompiledContentCheck;
import org.sluice.policy.content.ContentCheck;
import org.sluice.policy.content.ContentInput;
import org.sluice.policy.content.ContentVerdict;
import org.sluice.policy.content.CumulativeLimits;
import org.sluice.policy.content.ProtectedDataScanner;

/**
 * Cost of the content checks other than the scanner (issue 18, item 5): {@code types} + {@code json} limits on a
 * JSON result of 64 KiB and 1 MiB (one streaming pass), and the embedded-span walk (base64, hex, and the
 * decoding of what it finds) over 64 KiB and 1 MiB of text with a scanner that does nothing: only the walk is timed.
 * MB/s = body bytes / average time per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ContentCheckBenchmark {

    @Param({"65536", "1048576"})
    public int bytes;

    private ContentCheck typesAndJson;
    private ContentCheck spans;
    private ContentInput json;
    private ContentInput text;

    @Setup(Level.Trial)
    public void build() {
        ContentConfig.JsonLimits limits = new ContentConfig.JsonLimits(32, 1_000_000, 10_000, 1_000_000);
        typesAndJson = CompiledContentCheck.compile(new ContentConfig(List.of("application/json"), null, null,
                limits, null, ContentConfig.Decode.DEFAULTS, ContentConfig.Opaque.ALLOW,
                ContentConfig.DEFAULT_OPAQUE_ENTROPY, null, null), pd -> null);
        ContentConfig.ProtectedData nothingProtected = new ContentConfig.ProtectedData("none.sfp", null, 2, 0, 0,
                CumulativeLimits.NONE);
        ProtectedDataScanner noScanner = (b, off, len, syntax, findings) -> { };
        spans = CompiledContentCheck.compile(new ContentConfig(null, null, null, null, nothingProtected,
                ContentConfig.Decode.DEFAULTS, ContentConfig.Opaque.ALLOW, ContentConfig.DEFAULT_OPAQUE_ENTROPY,
                null, null), pd -> noScanner);
        json = ContentInput.body(jsonResult(bytes), "application/json");
        text = ContentInput.body(textWithSpans(bytes), "text/plain");
        check(typesAndJson.inspect(json));
        check(spans.inspect(text));
    }

    private static void check(ContentVerdict verdict) {
        if (!verdict.passed()) {
            throw new IllegalStateException("the benchmark body is refused: " + verdict.reason());
        }
    }

    /** A model result: named arrays of coefficients, counts and labels, as an aggregate would be sent. */
    static byte[] jsonResult(int size) {
        SplittableRandom r = new SplittableRandom(18);
        StringBuilder s = new StringBuilder(size + 256).append("{\"model\":\"logistic\",\"layers\":[");
        int layer = 0;
        while (s.length() < size - 200) {
            if (layer > 0) {
                s.append(',');
            }
            s.append("{\"name\":\"layer").append(layer++).append("\",\"count\":").append(r.nextInt(100_000))
                    .append(",\"weights\":[");
            for (int i = 0; i < 64; i++) {
                s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", r.nextDouble() * 2 - 1));
            }
            s.append("],\"labels\":[\"low\",\"mid\",\"high\"]}");
        }
        return s.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Prose with a base64 value and a hex digest (which the walk decodes and drops) every few hundred bytes. */
    static byte[] textWithSpans(int size) {
        SplittableRandom r = new SplittableRandom(18);
        String prose = "The node computed the mean of the selected column and sent the aggregate back to the"
                + " central server, which combined the partial results of every organisation. ";
        StringBuilder s = new StringBuilder(size + 512);
        byte[] blob = new byte[48];
        while (s.length() < size) {
            s.append(prose);
            r.nextBytes(blob);
            s.append("token=").append(Base64.getEncoder().encodeToString(
                    ("note " + r.nextInt() + " about the run of the algorithm").getBytes(StandardCharsets.UTF_8)))
                    .append(' ');
            s.append("sha256 ").append(java.util.HexFormat.of().formatHex(blob, 0, 32)).append(' ');
            s.append(prose);
        }
        s.setLength(size);
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public ContentVerdict typesAndJsonLimits() {
        return typesAndJson.inspect(json);
    }

    @Benchmark
    public ContentVerdict embeddedSpans() {
        return spans.inspect(text);
    }
}
