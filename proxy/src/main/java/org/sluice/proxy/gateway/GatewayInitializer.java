package org.sluice.proxy.gateway;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.sluice.policy.config.Limits;
import org.sluice.proxy.metrics.SluiceMetrics;

/** The gateway pipeline, in the order a request meets it. */
public final class GatewayInitializer extends ChannelInitializer<SocketChannel> {
    /** Method, spaces and version around the target: the request line may exceed maxUrlBytes by this much. */
    private static final int REQUEST_LINE_OVERHEAD = 64;
    private static final int MAX_BODY_PART = 64 * 1024;

    private final GatewayContext gateway;
    private final SluiceMetrics metrics;
    private final ChannelGroup connections;
    private final RequestIds ids = new RequestIds();

    public GatewayInitializer(GatewayContext gateway, SluiceMetrics metrics, ChannelGroup connections) {
        this.gateway = gateway;
        this.metrics = metrics;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        metrics.connectionOpened();
        ch.closeFuture().addListener(f -> metrics.connectionClosed());
        Limits limits = gateway.limits();
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxUrlBytes() + REQUEST_LINE_OVERHEAD)
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(MAX_BODY_PART)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true);
        ConnectionContext conn = new ConnectionContext(ch, gateway, clientAddress(ch.remoteAddress()));
        ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleStateHandler(gateway.timeouts().idle().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec(decoder));
        p.addLast("order", new PipelineOrderer(conn));
        p.addLast("intake", new RequestIntake(conn, ids));
        p.addLast("policy", new PolicyGate(conn));
        p.addLast("limits", new BodyLimiter(conn));
        p.addLast("relay", new UpstreamRelay(conn));
    }

    private static String clientAddress(InetSocketAddress remote) {
        if (remote == null || remote.getAddress() == null) {
            return null;
        }
        return remote.getAddress().getHostAddress();
    }
}
