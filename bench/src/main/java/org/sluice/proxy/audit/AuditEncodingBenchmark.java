package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of encoding one audit record as a JSON line, as the audit writer does for every request: one
 * {@link AuditLineEncoder#append} of an allowed GET, with a reset whenever a batch reaches the writer's cap of
 * {@value AuditLog#MAX_BATCH} records. In the encoder's package because the encoder is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AuditEncodingBenchmark {

    private static final int RECORDS = 256; // a power of two: the index wraps with a mask
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String POLICY_HASH = "9f2c4e1a7b3d5f608e1c2a4b6d8f0e3c5a7b9d1f2e4c6a8b0d2f4e6a8c0b2d4f";

    private AuditLineEncoder encoder;
    private AuditRecord[] records;
    private int next;

    @Setup(Level.Trial)
    public void prepare() throws IOException {
        // Distinct ids, times and sizes, as a real batch has; built here so the op measures encoding only.
        SplittableRandom random = new SplittableRandom(42);
        Instant start = Instant.parse("2026-11-23T09:15:02.123Z");
        records = new AuditRecord[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            records[i] = new AuditRecord(start.plusMillis(3L * i), requestId(random), "gateway", "172.17.0.5",
                    "GET", "https", "central.example.org", 443, "/api/tasks", "allow", "central-api",
                    "allowed by rule 'central-api'", 200, 0, 1_000 + random.nextInt(4_000), EMPTY_SHA256,
                    random.nextInt(40), "203.0.113.10:443", POLICY_HASH, null);
        }
        encoder = new AuditLineEncoder();
        encoder.append(records[0]);
        ByteBuffer batch = encoder.batch();
        byte[] bytes = new byte[batch.remaining()];
        batch.get(bytes);
        String line = new String(bytes, StandardCharsets.UTF_8);
        // Fail fast if the encoder wrote something else than one whole line: the numbers would be meaningless.
        if (!line.startsWith("{\"ts\":\"2026-11-23T09:15:02.123Z\",\"id\":\"") || !line.contains("\"status\":200")
                || line.indexOf('\n') != line.length() - 1) {
            throw new IllegalStateException("unexpected audit line: " + line);
        }
        encoder.reset();
    }

    private static String requestId(SplittableRandom random) {
        return String.format("%016x%08x", random.nextLong(), random.nextInt());
    }

    @Benchmark
    public int append() throws IOException {
        if (encoder.records() == AuditLog.MAX_BATCH) {
            encoder.reset(); // the writer hands a full batch to the sink and starts over in the same buffer
        }
        encoder.append(records[next++ & (RECORDS - 1)]);
        return encoder.records();
    }
}
