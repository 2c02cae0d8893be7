package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code gateway.timeouts.requestHeader} against slowloris: starts when the first byte of a request head arrives
 * and, unless the head is complete by then, tells {@link RequestIntake} ({@link #EXPIRED}), which answers 400 and
 * closes. Sits before the HTTP decoder to see bytes; a connection waiting between requests is {@code idle}'s.
 */
final class RequestHeadDeadline extends ChannelInboundHandlerAdapter {
    /** The user event fired down the pipeline when the deadline passes with the head incomplete. */
    static final Object EXPIRED = new Object() {
        @Override
        public String toString() {
            return "RequestHeadDeadline.EXPIRED";
        }
    };

    private final ConnectionContext conn;
    private final long timeoutMillis;
    private ScheduledFuture<?> timer;

    RequestHeadDeadline(ConnectionContext conn, Duration timeout) {
        this.conn = conn;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        conn.onHeadArrived(this::cancel);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Bytes with no exchange open begin a head; bytes while one is open are its body or a pipelined request.
        if (timer == null && conn.current == null && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (conn.current == null && ctx.channel().isActive()) {
            ctx.fireUserEventTriggered(EXPIRED);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }
}
