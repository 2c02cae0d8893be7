package org.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.sluice.policy.Destination;
import org.sluice.policy.Policy;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.gateway.ExchangeRecorder;
import org.sluice.proxy.gateway.GatewayContext;
import org.sluice.proxy.gateway.GatewayInitializer;
import org.sluice.proxy.metrics.SluiceMetrics;
import org.sluice.proxy.upstream.Upstream;

/**
 * Jazzer fuzz target for the request path: arbitrary bytes into the gateway's whole pipeline on an EmbeddedChannel.
 * Whatever the bytes, nothing may throw out of the pipeline, leak a buffer (leak detection is paranoid in tests), or
 * reach the upstream unless the policy allowed a request for /api/** (the only path it allows). In the build it
 * replays its seeds and findings (src/test/resources/.../RequestPathFuzzTestInputs); with JAZZER_FUZZ=1 it fuzzes.
 */
class RequestPathFuzzTest {
    private static final String CONFIG = """
            version: 1
            gateway:
              listen: 127.0.0.1:0
              upstream: http://central.invalid
            audit:
              path: %s
            rules:
              - name: api
                methods: [GET, POST]
                paths: ["/api/**"]
                limits: {maxRequestBodyBytes: 64}
            """;

    private static final SluiceConfig config;
    private static final AuditLog audit;

    static {
        try {
            Path folder = Files.createTempDirectory("sluice-fuzz-");
            folder.toFile().deleteOnExit();
            Path auditFile = folder.resolve("audit.jsonl");
            auditFile.toFile().deleteOnExit();
            config = ConfigLoader.parse(CONFIG.formatted(auditFile), folder.resolve("sluice.yaml"));
            audit = AuditLog.open(auditFile, 1 << 16);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static int countOccurrences(CharSequence text, String what) {
        int n = 0;
        for (int i = text.toString().indexOf(what); i >= 0; i = text.toString().indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @FuzzTest(maxDuration = "60s")
    void anyBytesAreAnsweredWithoutLeaksAndOnlyAllowedRequestsLookForTheUpstream(byte[] input) {
        AtomicInteger acquired = new AtomicInteger();
        Upstream upstream = new Upstream() {
            @Override
            public Future<Channel> acquire(EventLoop loop) {
                acquired.incrementAndGet();
                return loop.newFailedFuture(new ConnectException("no central server while fuzzing"));
            }

            @Override
            public void release(Channel channel) {
                channel.close();
            }

            @Override
            public Destination destination() {
                return Destination.gateway("http", "central.invalid", 80);
            }

            @Override
            public String authority() {
                return "central.invalid";
            }
        };
        SluiceMetrics metrics = new SluiceMetrics();
        GatewayContext gateway = new GatewayContext(new AtomicReference<>(Policy.compile(config)), config.limits(),
                config.gateway().timeouts(), upstream, audit, new ExchangeRecorder(audit, metrics),
                new AtomicInteger(), new AtomicBoolean());
        EmbeddedChannel client = new EmbeddedChannel(new GatewayInitializer(gateway, metrics,
                new DefaultChannelGroup("fuzz", GlobalEventExecutor.INSTANCE)));
        StringBuilder answered = new StringBuilder();
        try {
            client.writeInbound(Unpooled.wrappedBuffer(input));
            client.runPendingTasks();
            for (Object out = client.readOutbound(); out != null; out = client.readOutbound()) {
                try {
                    if (out instanceof ByteBuf bytes) {
                        answered.append(bytes.toString(StandardCharsets.ISO_8859_1));
                    }
                } finally {
                    ReferenceCountUtil.release(out);
                }
            }
        } finally {
            client.finishAndReleaseAll();
        }
        if (!answered.isEmpty()) {
            assertThat(answered.toString()).as("what the client got").startsWith("HTTP/1.1 ");
        }
        // At most one upstream connection is asked for per request that was allowed and answered.
        int allowed = countOccurrences(answered, "X-Sluice-Error: upstream_failed")
                + countOccurrences(answered, "x-sluice-error: upstream_failed");
        assertThat(acquired.get()).as("upstream connections asked for vs requests the policy let through")
                .isLessThanOrEqualTo(Math.max(allowed, 0) + 1);
    }
}
