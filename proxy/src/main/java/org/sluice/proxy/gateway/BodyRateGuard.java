package org.sluice.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.sluice.policy.config.GatewayTimeouts;

/**
 * {@code gateway.timeouts.minBodyRate} against clients that trickle a body to hold a connection and an upstream
 * request open: once {@link GatewayTimeouts#BODY_RATE_GRACE} has passed, a body whose average rate since its head
 * is below the minimum ends the connection, audited {@code body_too_slow}; the relay then drops the upstream
 * connection mid-body, as for a client that goes away. Time with reading paused by Sluice does not count.
 */
final class BodyRateGuard extends ChannelInboundHandlerAdapter {
    private static final long CHECK_EVERY_MILLIS = 500;

    private final ConnectionContext conn;
    private final long minBytesPerSecond;
    private final long graceNanos = GatewayTimeouts.BODY_RATE_GRACE.toNanos();
    private Exchange watched;
    private long startedNanos;
    private long pausedAtStart;
    private long bytes;
    private ScheduledFuture<?> check;

    BodyRateGuard(ConnectionContext conn, long minBytesPerSecond) {
        this.conn = conn;
        this.minBytesPerSecond = minBytesPerSecond;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest && minBytesPerSecond > 0 && conn.current != null && conn.current.hasBody) {
            watch(ctx, conn.current);
        }
        if (msg instanceof HttpContent content && watched != null) {
            bytes += content.content().readableBytes();
            if (content instanceof LastHttpContent) {
                stop();
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void watch(ChannelHandlerContext ctx, Exchange ex) {
        stop();
        watched = ex;
        startedNanos = System.nanoTime();
        pausedAtStart = conn.pausedNanos(startedNanos);
        bytes = 0;
        check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), CHECK_EVERY_MILLIS, CHECK_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        Exchange ex = watched;
        if (ex == null || ex.finished() || ex.refused) {
            stop();
            return;
        }
        long now = System.nanoTime();
        long readingNanos = now - startedNanos - (conn.pausedNanos(now) - pausedAtStart);
        if (readingNanos < graceNanos) {
            return;
        }
        long rate = bytes * 1_000_000_000L / readingNanos;
        if (rate < minBytesPerSecond) {
            stop();
            ex.error = "body_too_slow";
            ex.reason = "the request body arrived at " + rate + " bytes/s, below " + conn.gateway.listener()
                    + ".timeouts.minBodyRate (" + minBytesPerSecond + " bytes/s)";
            ctx.channel().close();
        }
    }

    private void stop() {
        watched = null;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }
}
