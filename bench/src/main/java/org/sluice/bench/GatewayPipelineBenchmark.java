package org.sluice.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sluice.policy.Policy;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.audit.AuditSink;
import org.sluice.proxy.gateway.ExchangeRecorder;
import org.sluice.proxy.gateway.GatewayContext;
import org.sluice.proxy.gateway.GatewayInitializer;
import org.sluice.proxy.metrics.SluiceMetrics;
import org.sluice.proxy.upstream.EmbeddedUpstream;

/**
 * One whole request through the real gateway pipeline (HTTP codec, ordering, intake, policy, limits, relay,
 * audit record, metrics) on EmbeddedChannels, without sockets: an allowed GET relayed to an in-memory central
 * server and answered 200, and a denied GET answered 403 by Sluice itself. Everything runs on the benchmark
 * thread except the audit writer, which encodes and discards the records on its own thread. Warm-up is 10 s:
 * the JIT needs several seconds for the whole pipeline, and after 3 s an op still took ten times as long.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GatewayPipelineBenchmark {

    /** A full queue would turn every request into a 503; the ops wait when it is half full. */
    private static final int AUDIT_QUEUE_CAPACITY = 65_536;

    private static final String CONFIG = """
            version: 1
            allowPrivate: [127.0.0.0/8]
            gateway:
              listen: 127.0.0.1:0
              upstream: http://127.0.0.1:8080
            audit:
              path: '%s'
            rules:
              - name: central-api
                methods: [GET, POST]
                paths: ["/api/**"]
            """;

    private static final String ALLOWED_REQUEST = "GET /api/tasks?limit=10 HTTP/1.1\r\nHost: sluice\r\n"
            + "User-Agent: bench\r\nAccept: */*\r\n\r\n";
    private static final String DENIED_REQUEST = "GET /admin/export HTTP/1.1\r\nHost: sluice\r\n"
            + "User-Agent: bench\r\nAccept: */*\r\n\r\n";
    private static final String RESPONSE_BODY = "{\"data\":[{\"id\":1,\"status\":\"completed\"},"
            + "{\"id\":2,\"status\":\"active\"}],\"links\":{\"next\":null}}";
    private static final String OK_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + RESPONSE_BODY.length() + "\r\n\r\n" + RESPONSE_BODY;

    private Path auditDir;
    private DiscardingSink sink;
    private AuditLog audit;
    private ChannelGroup connections;
    private EmbeddedUpstream upstream;
    private EmbeddedChannel client;
    private ByteBuf allowedRequest;
    private ByteBuf deniedRequest;
    private ByteBuf okResponse;
    /** What one exchange of each kind sends: every op checks it got the same, so an error path cannot pass. */
    private int forwardedBytes;
    private int allowedResponseBytes;
    private int deniedResponseBytes;

    @Setup(Level.Trial)
    public void start() throws Exception {
        // The audit file is never opened (the sink discards); the config only has to name one.
        auditDir = Files.createTempDirectory("sluice-bench");
        SluiceConfig config = ConfigLoader.parse(CONFIG.formatted(auditDir.resolve("audit.jsonl")),
                Path.of("bench.yaml"));
        upstream = new EmbeddedUpstream(config.gateway().upstream());
        sink = new DiscardingSink();
        audit = AuditLog.to(sink, AUDIT_QUEUE_CAPACITY);
        SluiceMetrics metrics = new SluiceMetrics();
        GatewayContext gateway = new GatewayContext(new AtomicReference<>(Policy.compile(config)), config.limits(),
                config.gateway().timeouts(), upstream, audit, new ExchangeRecorder(audit, metrics),
                new AtomicInteger(), new AtomicBoolean());
        connections = new DefaultChannelGroup("gateway", GlobalEventExecutor.INSTANCE);
        client = new EmbeddedChannel(new GatewayInitializer(gateway, metrics, connections));

        allowedRequest = ascii(ALLOWED_REQUEST);
        deniedRequest = ascii(DENIED_REQUEST);
        okResponse = ascii(OK_RESPONSE);
        checkOneExchangeOfEach();
    }

    /** A benchmark that measured an error path would be worthless: one real exchange of each kind must work. */
    private void checkOneExchangeOfEach() {
        client.writeInbound(allowedRequest.retainedDuplicate());
        String forwarded = readAll(upstream.channel());
        expect(forwarded, "GET /api/tasks?limit=10 HTTP/1.1\r\n", "the central server got");
        upstream.channel().writeInbound(okResponse.retainedDuplicate());
        String answered = readAll(client);
        expect(answered, "HTTP/1.1 200 ", "the client got");
        if (!answered.endsWith(RESPONSE_BODY)) {
            throw new IllegalStateException("the client did not get the central server's body:\n" + answered);
        }
        forwardedBytes = forwarded.length();
        allowedResponseBytes = answered.length();

        client.writeInbound(deniedRequest.retainedDuplicate());
        String denied = readAll(client);
        expect(denied, "HTTP/1.1 403 ", "the denied request got");
        if (upstream.channel().outboundMessages().size() > 0) {
            throw new IllegalStateException("a denied request reached the central server");
        }
        deniedResponseBytes = denied.length();
        if (client.hasPendingTasks() || upstream.channel().hasPendingTasks()) {
            throw new IllegalStateException("an exchange left tasks behind; the op would have to run them");
        }
    }

    @Benchmark
    public int allowedGet() {
        client.writeInbound(allowedRequest.retainedDuplicate());
        int forwarded = drain(upstream.channel());
        upstream.channel().writeInbound(okResponse.retainedDuplicate());
        int answered = drain(client);
        if (forwarded != forwardedBytes || answered != allowedResponseBytes) {
            throw new IllegalStateException("forwarded " + forwarded + " bytes (expected " + forwardedBytes
                    + "), answered " + answered + " (expected " + allowedResponseBytes + ")");
        }
        keepUpWithTheAuditWriter();
        return answered;
    }

    /**
     * The op waits while the audit writer lags more than half its queue behind, as a full queue would turn
     * requests into 503s: a writer slower than the pipeline then shows in ns/op instead of failing the run.
     */
    private void keepUpWithTheAuditWriter() {
        while (audit.queued() > AUDIT_QUEUE_CAPACITY / 2) {
            Thread.onSpinWait();
        }
    }

    @Benchmark
    public int deniedGet() {
        client.writeInbound(deniedRequest.retainedDuplicate());
        int answered = drain(client);
        if (answered != deniedResponseBytes) {
            throw new IllegalStateException("answered " + answered + " bytes, expected " + deniedResponseBytes);
        }
        keepUpWithTheAuditWriter();
        return answered;
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        client.finishAndReleaseAll();
        upstream.channel().finishAndReleaseAll();
        connections.close();
        allowedRequest.release();
        deniedRequest.release();
        okResponse.release();
        audit.close();
        Files.deleteIfExists(auditDir);
        if (audit.dropped() != 0) {
            throw new IllegalStateException(audit.dropped() + " audit records were dropped: the writer fell behind");
        }
        if (sink.written.get() == 0) {
            throw new IllegalStateException("no audit record reached the sink");
        }
    }

    /** Reads and releases everything the channel wrote; returns the byte count. */
    private static int drain(EmbeddedChannel channel) {
        int bytes = 0;
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            bytes += buf.readableBytes();
            buf.release();
        }
        return bytes;
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }

    private static void expect(String actual, String prefix, String what) {
        if (!actual.startsWith(prefix)) {
            throw new IllegalStateException(what + " something else than " + prefix.strip() + ":\n" + actual);
        }
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    /** Counts and forgets: the writer's cost stays, the disk's does not. */
    private static final class DiscardingSink implements AuditSink {
        final AtomicLong written = new AtomicLong();

        @Override
        public void write(ByteBuffer batch) {
            written.addAndGet(batch.remaining());
            batch.position(batch.limit());
        }

        @Override
        public void force() {
        }

        @Override
        public void close() {
        }
    }
}
