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
    private ChannelHandlerContext ctx;
    private final Runnable expiry = this::expire;
    /** Set when a head has arrived: a read that completes its head needs no timer at all. */
    private boolean headArrived;

    RequestHeadDeadline(ConnectionContext conn, Duration timeout) {
        this.conn = conn;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        conn.onHeadArrived(this::cancel);
    }

    /**
     * Bytes with no exchange open begin a head; bytes while one is open are its body or a pipelined request. The
     * timer starts only if the head is still incomplete once these bytes have been decoded: most heads arrive in
     * one read, and a timer scheduled and cancelled per request was a task queue insertion and removal for nothing.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean beginsHead = timer == null && conn.current == null && msg instanceof ByteBuf bytes
                && bytes.isReadable();
        headArrived = false;
        ctx.fireChannelRead(msg);
        if (beginsHead && !headArrived && timer == null && ctx.channel().isActive()) {
            timer = ctx.executor().schedule(expiry, timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void expire() {
        timer = null;
        if (conn.current == null && ctx.channel().isActive()) {
            ctx.fireUserEventTriggered(EXPIRED);
        }
    }

    private void cancel() {
        headArrived = true;
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
