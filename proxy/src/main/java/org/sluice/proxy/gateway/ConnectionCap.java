package org.sluice.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.sluice.proxy.metrics.SluiceMetrics;

/**
 * Counts the connection while it is open and, when it is over {@code gateway.maxConnections} or
 * {@code gateway.maxConnectionsPerClient}, marks it so that {@link RequestIntake} answers its first request
 * 503 {@code unavailable} and closes.
 */
final class ConnectionCap extends ChannelInboundHandlerAdapter {
    private final ConnectionContext conn;
    private final ConnectionCounts counts;
    private final SluiceMetrics metrics;
    private boolean counted;

    ConnectionCap(ConnectionContext conn, ConnectionCounts counts, SluiceMetrics metrics) {
        this.conn = conn;
        this.counts = counts;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        ConnectionCounts.Cap over = counts.opened(conn.clientAddress);
        if (over == ConnectionCounts.Cap.MAX_CONNECTIONS) {
            conn.overCap = "the " + conn.gateway.listener() + " listener has maxConnections (" + counts.caps().maxConnections()
                    + ") client connections open; try again later";
        } else if (over == ConnectionCounts.Cap.MAX_CONNECTIONS_PER_CLIENT) {
            conn.overCap = "this client has maxConnectionsPerClient (" + counts.caps().maxConnectionsPerClient()
                    + ") connections open; reuse one or try again later";
        }
        if (over != null) {
            metrics.connectionRefused(over.label);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            counted = false;
            counts.closed(conn.clientAddress);
        }
        ctx.fireChannelInactive();
    }
}
