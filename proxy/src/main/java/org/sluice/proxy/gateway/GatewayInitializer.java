package org.sluice.proxy.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.sluice.policy.config.ConnectionCaps;
import org.sluice.policy.config.Limits;
import org.sluice.proxy.metrics.SluiceMetrics;

/**
 * The pipeline of an HTTP listener (the gateway, or the forward listener), in the order a request meets it. The
 * forward listener adds a tunnel intake right after the codec, which takes over a connection that starts with
 * CONNECT. Takes any channel: a socket in production, an EmbeddedChannel in the pipeline benchmark.
 */
public final class GatewayInitializer extends ChannelInitializer<Channel> {
    /** Method, spaces and version around the target: the request line may exceed maxUrlBytes by this much. */
    private static final int REQUEST_LINE_OVERHEAD = 64;
    private static final int MAX_BODY_PART = 64 * 1024;

    private final GatewayContext gateway;
    private final SluiceMetrics metrics;
    private final ChannelGroup connections;
    private final ConnectionCounts counts;
    private final RequestIds ids = new RequestIds();

    /** A gateway with no connection caps worth the name (the pipeline benchmark's one channel). */
    public GatewayInitializer(GatewayContext gateway, SluiceMetrics metrics, ChannelGroup connections) {
        this(gateway, metrics, connections, new ConnectionCounts(new ConnectionCaps(Integer.MAX_VALUE,
                Integer.MAX_VALUE)));
    }

    public GatewayInitializer(GatewayContext gateway, SluiceMetrics metrics, ChannelGroup connections,
                              ConnectionCounts counts) {
        this.gateway = gateway;
        this.metrics = metrics;
        this.connections = connections;
        this.counts = counts;
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        metrics.connectionOpened(gateway.listener());
        ch.closeFuture().addListener(f -> metrics.connectionClosed(gateway.listener()));
        Limits limits = gateway.limits();
        ConnectionContext conn = new ConnectionContext(ch, gateway, clientAddress(ch.remoteAddress()));
        ChannelPipeline p = ch.pipeline();
        p.addLast("caps", new ConnectionCap(conn, counts, metrics));
        p.addLast("idle", new IdleStateHandler(gateway.timeouts().idle().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("headDeadline", new RequestHeadDeadline(conn, gateway.timeouts().requestHeader()));
        p.addLast("http", new StrictServerCodec(limits.maxUrlBytes() + REQUEST_LINE_OVERHEAD,
                limits.maxHeaderBytes(), MAX_BODY_PART));
        if (gateway.tunnels() != null) {
            p.addLast("tunnelIntake", new TunnelIntake(conn, ids));
        }
        p.addLast("order", new PipelineOrderer(conn));
        p.addLast("intake", new RequestIntake(conn, ids));
        p.addLast("task", new TaskAttribution(conn));
        p.addLast("policy", new PolicyGate(conn));
        p.addLast("bodyRate", new BodyRateGuard(conn, gateway.timeouts().minBodyRate()));
        p.addLast("limits", new BodyLimiter(conn));
        p.addLast("rewrite", new UpstreamHeadRewriter(conn));
        p.addLast("content", new ContentGate(conn));
        p.addLast("budget", new BudgetGate(conn));
        p.addLast("relay", new UpstreamRelay(conn));
    }

    private static String clientAddress(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return null;
    }
}
