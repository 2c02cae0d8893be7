package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.sluice.policy.Decision;
import org.sluice.policy.Destination;
import org.sluice.policy.Policy;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.content.ContentCheck;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.metrics.SluiceMetrics;
import org.sluice.proxy.testing.JsonLines;
import org.sluice.proxy.upstream.Upstream;

/**
 * The gateway's request handlers in GatewayInitializer's order on an EmbeddedChannel, with two stand-ins: a handler
 * right after the policy gate gives every rule's decision the content check under test (until policies compile
 * content checks from their YAML), and the relay is replaced by a stand-in upstream that encodes what it is given
 * into the bytes an upstream would read, then answers 200.
 */
final class ContentPipeline implements AutoCloseable {

    final EmbeddedChannel client = new EmbeddedChannel();
    final ConnectionContext conn;
    final SluiceMetrics metrics = new SluiceMetrics();
    final UpstreamStandIn upstream = new UpstreamStandIn();
    private final AuditLog audit;
    private final Path auditFile;

    /** {@code check} null: the rules keep their decisions as compiled (no content checks). */
    ContentPipeline(Path folder, String yaml, ContentCheck check) throws Exception {
        SluiceConfig config = ConfigLoader.parse(yaml, folder.resolve("sluice.yaml"));
        auditFile = folder.resolve("audit.jsonl");
        audit = AuditLog.open(auditFile, 64);
        GatewayContext gateway = new GatewayContext(new AtomicReference<>(Policy.compile(config)), config.limits(),
                config.gateway().timeouts(), new NoUpstream(config), audit, new ExchangeRecorder(audit, metrics),
                new AtomicInteger(), new AtomicBoolean());
        conn = new ConnectionContext(client, gateway, "127.0.0.1");
        RequestIds ids = new RequestIds();
        client.pipeline().addLast("http", new StrictServerCodec(4096, 8192, 64 * 1024));
        client.pipeline().addLast("order", new PipelineOrderer(conn));
        client.pipeline().addLast("intake", new RequestIntake(conn, ids));
        client.pipeline().addLast("task", new TaskAttribution(conn));
        client.pipeline().addLast("policy", new PolicyGate(conn));
        if (check != null) {
            client.pipeline().addLast("withContent", new WithContent(check));
        }
        client.pipeline().addLast("limits", new BodyLimiter(conn));
        client.pipeline().addLast("rewrite", new UpstreamHeadRewriter(conn));
        client.pipeline().addLast("content", new ContentGate(conn));
        client.pipeline().addLast("budget", new BudgetGate(conn));
        client.pipeline().addLast("relay", upstream);
    }

    /** Writes {@code wire} as the client's bytes and returns what the client got back. */
    String send(String wire) {
        client.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.ISO_8859_1));
        client.runPendingTasks();
        return received();
    }

    /** What the client got since the last call. */
    String received() {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b = client.readOutbound(); b != null; b = client.readOutbound()) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    List<Map<String, Object>> auditRecords() {
        assertThat(audit.flush(Duration.ofSeconds(5))).isTrue();
        return JsonLines.read(auditFile);
    }

    @Override
    public void close() {
        client.finishAndReleaseAll();
        upstream.encoder.finishAndReleaseAll();
        audit.close();
    }

    /** Gives the matched rule's decision the content check under test. */
    private final class WithContent extends ChannelInboundHandlerAdapter {
        private final ContentCheck check;

        WithContent(ContentCheck check) {
            this.check = check;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest && conn.current.decision.rule() != null) {
                Decision d = conn.current.decision;
                conn.current.decision = new Decision(d.verdict(), d.reason(), d.rule(), d.mode(), d.limits(),
                        d.headers(), check);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Where the relay would be: records every message as upstream bytes, and answers 200 once one is whole. */
    final class UpstreamStandIn extends ChannelInboundHandlerAdapter {
        final EmbeddedChannel encoder = new EmbeddedChannel(new HttpRequestEncoder());
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        /** What arrived, message by message: head, content, last or full. */
        final List<String> messages = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Exchange current = conn.current;
            if (!(msg instanceof HttpRequest) && (current == null || current.refused || current.finished())) {
                ReferenceCountUtil.release(msg); // as the relay: the rest of a request refused after its head
                return;
            }
            messages.add(msg instanceof FullHttpRequest ? "full" : msg instanceof HttpRequest ? "head"
                    : msg instanceof LastHttpContent ? "last" : "content");
            encoder.writeOutbound(msg);
            for (ByteBuf b = encoder.readOutbound(); b != null; b = encoder.readOutbound()) {
                bytes.writeBytes(ByteBufUtil.getBytes(b));
                b.release();
            }
            if (msg instanceof LastHttpContent) {
                ConnectionContext c = conn;
                Exchange ex = c.current;
                ex.status = 200;
                ex.responseStarted = true;
                FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.EMPTY_BUFFER);
                ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(ok).addListener((ChannelFutureListener) f -> c.finish(ex));
            }
        }

        /** As the relay does: an exchange the client walks away from is recorded as client_closed. */
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange open = conn.current;
            if (open != null && !open.finished()) {
                open.error = "client_closed";
                conn.finish(open);
            }
            ctx.fireChannelInactive();
        }

        String sent() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** The upstream the routes name; never dialled here (the stand-in answers instead). */
    private static final class NoUpstream implements Upstream {
        private final SluiceConfig config;

        NoUpstream(SluiceConfig config) {
            this.config = config;
        }

        @Override
        public Future<Channel> acquire(EventLoop loop) {
            return loop.newFailedFuture(new ConnectException("no upstream in this test"));
        }

        @Override
        public void release(Channel channel) {
            channel.close();
        }

        @Override
        public Destination destination() {
            return Destination.gateway(config.gateway().upstream().scheme(), config.gateway().upstream().host(),
                    config.gateway().upstream().port());
        }

        @Override
        public String authority() {
            return config.gateway().upstream().authority();
        }
    }
}
