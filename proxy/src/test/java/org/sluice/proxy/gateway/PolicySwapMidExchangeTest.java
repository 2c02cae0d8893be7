package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.Destination;
import org.sluice.policy.Policy;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.config.UpstreamConfig;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.metrics.SluiceMetrics;
import org.sluice.proxy.testing.JsonLines;
import org.sluice.proxy.upstream.Upstream;

/**
 * A reload that lands while a request is between the intake and the policy gate, made deterministic by a handler
 * that swaps the policy right there: the request is still decided, and audited, by the policy it arrived under.
 */
class PolicySwapMidExchangeTest {

    private static final String CONFIG = """
            version: 1
            gateway: {listen: 127.0.0.1:0, upstream: http://localhost:1}
            audit: {path: audit.jsonl}
            rules:
              - {name: %s, methods: [GET], paths: ["%s"]}
            """;

    @TempDir
    Path folder;

    private Policy allowsProbe;
    private Policy deniesProbe;
    private final AtomicReference<Policy> policy = new AtomicReference<>();
    private final AtomicInteger upstreamAcquired = new AtomicInteger();
    private AuditLog audit;
    private EmbeddedChannel client;

    @BeforeEach
    void start() throws Exception {
        allowsProbe = Policy.compile(ConfigLoader.parse(CONFIG.formatted("probe", "/probe/**"), folder.resolve("a.yaml")));
        SluiceConfig other = ConfigLoader.parse(CONFIG.formatted("export", "/export/**"), folder.resolve("b.yaml"));
        deniesProbe = Policy.compile(other);
        audit = AuditLog.open(folder.resolve("audit.jsonl"), 64);
        Upstream unreachable = new Upstream() {
            @Override
            public Future<Channel> acquire(EventLoop loop) {
                upstreamAcquired.incrementAndGet();
                return loop.newFailedFuture(new ConnectException("no central server in this test"));
            }

            @Override
            public void release(Channel channel) {
                channel.close();
            }

            @Override
            public Destination destination() {
                UpstreamConfig c = other.gateway().upstream();
                return Destination.gateway(c.scheme(), c.host(), c.port());
            }

            @Override
            public String authority() {
                return other.gateway().upstream().authority();
            }
        };
        SluiceMetrics metrics = new SluiceMetrics();
        GatewayContext gateway = new GatewayContext(policy, other.limits(), other.gateway().timeouts(), unreachable,
                audit, new ExchangeRecorder(audit, metrics), new AtomicInteger(), new AtomicBoolean());
        client = new EmbeddedChannel(new GatewayInitializer(gateway, metrics,
                new DefaultChannelGroup("test", GlobalEventExecutor.INSTANCE)));
    }

    @AfterEach
    void stop() {
        client.finishAndReleaseAll();
        audit.close();
    }

    /** Reloads to {@code next} after the intake has opened the exchange, before the policy gate decides. */
    private void swapBeforeTheGateTo(Policy next) {
        client.pipeline().addAfter("intake", "reload", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    policy.set(next);
                }
                ctx.fireChannelRead(msg);
            }
        });
    }

    private String send(String path) {
        client.writeInbound(Unpooled.copiedBuffer("GET " + path + " HTTP/1.1\r\nHost: sluice\r\n\r\n",
                StandardCharsets.US_ASCII));
        client.runPendingTasks();
        StringBuilder wire = new StringBuilder();
        for (ByteBuf b = client.readOutbound(); b != null; b = client.readOutbound()) {
            wire.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return wire.toString();
    }

    private Map<String, Object> onlyAuditRecord() {
        assertThat(audit.flush(Duration.ofSeconds(5))).isTrue();
        List<Map<String, Object>> records = JsonLines.read(folder.resolve("audit.jsonl"));
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    @Test
    void aRequestThatArrivedUnderAnAllowingPolicyIsForwardedAndAuditedUnderIt() {
        policy.set(allowsProbe);
        swapBeforeTheGateTo(deniesProbe);

        String response = send("/probe/1");

        assertThat(policy.get()).as("the swap happened").isSameAs(deniesProbe);
        assertThat(response).as("allowed, then the unreachable upstream").startsWith("HTTP/1.1 502 ");
        assertThat(upstreamAcquired).hasValue(1);
        assertThat(onlyAuditRecord()).containsEntry("decision", "allow").containsEntry("rule", "probe")
                .containsEntry("policy", allowsProbe.hash());
    }

    @Test
    void aRequestThatArrivedUnderADenyingPolicyIsRefusedAndAuditedUnderIt() {
        policy.set(deniesProbe);
        swapBeforeTheGateTo(allowsProbe);

        String response = send("/probe/1");

        assertThat(policy.get()).as("the swap happened").isSameAs(allowsProbe);
        assertThat(response).startsWith("HTTP/1.1 403 ").containsIgnoringCase("X-Sluice-Error: denied");
        assertThat(upstreamAcquired).as("never sent upstream").hasValue(0);
        assertThat(onlyAuditRecord()).containsEntry("decision", "deny").containsEntry("policy", deniesProbe.hash());
    }
}
