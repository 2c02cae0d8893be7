package org.sluice.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Lets one request at a time past: a pipelined request waits here until the previous exchange is done, so
 * responses go out in request order and the upstream never sees a request Sluice has not decided on yet. After an
 * exchange whose answer closes the connection, nothing more is let past.
 * Reading pauses only when something has to wait here (a pipelining client), so the queue holds at most one
 * read's worth; an ordinary keep-alive client never toggles reading, which would cost two epoll_ctl calls.
 */
final class PipelineOrderer extends ChannelInboundHandlerAdapter {
    private final ConnectionContext conn;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private boolean requestOpen;
    private boolean exchangeOpen;
    private boolean draining;
    private ChannelHandlerContext ctx;

    PipelineOrderer(ConnectionContext conn) {
        this.conn = conn;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        conn.onExchangeDone(this::exchangeDone);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (conn.ending) {
            ReferenceCountUtil.release(msg); // the connection closes after the answer just sent
            return;
        }
        if (!waiting.isEmpty() || (msg instanceof HttpRequest && (requestOpen || exchangeOpen))) {
            waiting.add(msg);
            conn.pauseReading(ConnectionContext.AWAITING_RESPONSE);
            return;
        }
        pass(msg);
    }

    private void pass(Object msg) {
        if (msg instanceof HttpRequest) {
            requestOpen = true;
            exchangeOpen = true;
        }
        if (msg instanceof LastHttpContent) {
            requestOpen = false;
        }
        ctx.fireChannelRead(msg);
    }

    /** Package-private for tests: the connection calls it when an exchange is recorded. */
    void exchangeDone() {
        exchangeOpen = false;
        if (conn.ending) {
            // That exchange's answer closes the connection: what waits behind it is never decided or forwarded.
            releaseWaiting();
            return;
        }
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!waiting.isEmpty() && ctx.channel().isActive()
                    && !(waiting.peek() instanceof HttpRequest && (requestOpen || exchangeOpen))) {
                pass(waiting.poll());
            }
        } finally {
            draining = false;
        }
        if (waiting.isEmpty()) {
            conn.resumeReading(ConnectionContext.AWAITING_RESPONSE);
        } else {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    private void releaseWaiting() {
        Object msg;
        while ((msg = waiting.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
