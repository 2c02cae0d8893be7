package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
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
 * Cost of encoding one audit record as a hash-chained JSON line, as the audit writer does for every request: one
 * {@link AuditLineEncoder#append} of an allowed GET (the JSON, the SHA-256 of the line and the hash field), with a
 * reset whenever a batch reaches the writer's cap of {@value AuditLog#MAX_BATCH} records. Also the same with
 * {@code audit.query: hash}, and one signed checkpoint (written once per {@code audit.checkpoint.every} records).
 * In the encoder's package because the encoder is package-private.
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
    private static final AuditIdentity IDENTITY = new AuditIdentity("job-2026-11-23-0042", "node-eu-west-3");

    private AuditLineEncoder encoder;
    private AuditLineEncoder hashingQuery;
    private AuditLineEncoder checkpoints;
    private AuditRecord[] records;
    private PrivateKey key;
    private String keyId;
    private int next;

    @Setup(Level.Trial)
    public void prepare() throws IOException, GeneralSecurityException {
        // Distinct ids, times, sizes and queries, as a real batch has; built here so the op measures encoding only.
        SplittableRandom random = new SplittableRandom(42);
        Instant start = Instant.parse("2026-11-23T09:15:02.123Z");
        records = new AuditRecord[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            records[i] = new AuditRecord(start.plusMillis(3L * i).toEpochMilli(), requestId(random), "gateway",
                    "172.17.0.5:" + (32_768 + random.nextInt(28_000)), "GET", "https", "central.example.org", 443,
                    "/api/tasks", "allow", "central-api", "allowed by rule 'central-api'", 200, 0,
                    1_000 + random.nextInt(4_000), EMPTY_SHA256, random.nextInt(40), "203.0.113.10:443",
                    POLICY_HASH, null, "/api/tasks?limit=10&offset=" + random.nextInt(10_000), null,
                    180 + random.nextInt(40));
        }
        ChainPosition genesis = ChainPosition.start(IDENTITY.node());
        encoder = new AuditLineEncoder(IDENTITY, false, genesis);
        hashingQuery = new AuditLineEncoder(IDENTITY, true, genesis);
        checkpoints = new AuditLineEncoder(IDENTITY, false, genesis);
        var pair = SigningKeys.generate();
        key = pair.getPrivate();
        keyId = AuditChain.keyId(pair.getPublic());

        // Fail fast if an encoder wrote something else than one whole chained line: the numbers would be meaningless.
        encoder.append(records[0]);
        check(encoder, "{\"ts\":\"2026-11-23T09:15:02.123Z\",\"id\":\"", "\"error\":null,\"reqBytesSent\":");
        hashingQuery.append(records[0]);
        check(hashingQuery, "{\"ts\":\"2026-11-23T09:15:02.123Z\",\"id\":\"", "\"querySha256\":\"");
        checkpoints.appendCheckpoint(start.toEpochMilli(), keyId, key);
        check(checkpoints, "{\"type\":\"checkpoint\",\"ts\":\"2026-11-23T09:15:02.123Z\"", "\"sig\":\"");
    }

    private static void check(AuditLineEncoder e, String prefix, String inside) {
        ByteBuffer batch = e.batch();
        byte[] bytes = new byte[batch.remaining()];
        batch.get(bytes);
        String line = new String(bytes, StandardCharsets.UTF_8);
        int hashAt = AuditChain.hashFieldStart(bytes, 0, bytes.length - 1);
        if (!line.startsWith(prefix) || !line.contains(inside) || line.indexOf('\n') != line.length() - 1
                || hashAt < 0 || !line.substring(hashAt).equals(AuditChain.HASH_MARKER
                        + AuditChain.hash(bytes, 0, hashAt) + "\"}\n")) {
            throw new IllegalStateException("unexpected audit line: " + line);
        }
        e.reset();
    }

    private static String requestId(SplittableRandom random) {
        return String.format("%016x%08x", random.nextLong(), random.nextInt());
    }

    /** One request record, chained: what the writer does per request. */
    @Benchmark
    public int append() throws IOException {
        return append(encoder);
    }

    /** The same with {@code audit.query: hash}: one more SHA-256, of the query. */
    @Benchmark
    public int appendHashingQuery() throws IOException {
        return append(hashingQuery);
    }

    /** One signed checkpoint (Ed25519): the writer adds one per {@code audit.checkpoint.every} records. */
    @Benchmark
    public int checkpoint() throws IOException, GeneralSecurityException {
        if (checkpoints.lines() == AuditLog.MAX_BATCH) {
            checkpoints.reset();
        }
        checkpoints.appendCheckpoint(1_795_000_000_000L + next++, keyId, key);
        return checkpoints.lines();
    }

    private int append(AuditLineEncoder e) throws IOException {
        if (e.records() == AuditLog.MAX_BATCH) {
            e.reset(); // the writer hands a full batch to the sink and starts over in the same buffer
        }
        e.append(records[next++ & (RECORDS - 1)]);
        return e.records();
    }
}
