package org.sluice.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/** Last handler of a pooled upstream connection: hands its events to whichever exchange holds it now. */
final class UpstreamChannelHandler extends ChannelInboundHandlerAdapter {
    private UpstreamListener listener;
    private Throwable failure;
    private long exchanges;

    /** Returns true when this connection already carried an earlier exchange (it came from the pool). */
    boolean attach(UpstreamListener listener) {
        this.listener = listener;
        return exchanges++ > 0;
    }

    void detach() {
        this.listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener == null) {
            // Nobody asked: a stray response on an idle pooled connection means it is out of step; drop it.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        listener.upstreamRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.upstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.upstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            failure = handshake.cause();
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        if (listener != null && ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()
                && duplex.isOutputShutdown() && !duplex.isInputShutdown()) {
            // A write failed (AUTO_CLOSE is off, so only the output was shut): the server stopped reading, often
            // because it has answered early. Keep reading that answer; the relay discards the connection after it.
            listener.upstreamWriteFailed();
            return;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.upstreamClosed(failure);
        }
    }
}
