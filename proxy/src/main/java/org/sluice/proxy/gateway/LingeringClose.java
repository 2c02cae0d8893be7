package org.sluice.proxy.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose client may still be sending a body Sluice refused, without losing the answer.
 *
 * <p>Closing a socket with unread input makes the kernel send a reset, and a client that writes its whole body
 * before reading (most do) then never sees the 413. So, once the answer is flushed: end our side (FIN), read and
 * discard whatever still comes, and close when the client closes, after {@link #IDLE_MILLIS} without data, or after
 * {@link #MAX_MILLIS} in all. Discarded bytes go nowhere: this handler sits first in the pipeline, so not one of
 * them reaches the HTTP decoder or the upstream.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {

    static final long IDLE_MILLIS = 2_000;
    static final long MAX_MILLIS = 10_000;
    private static final String NAME = "sluice-lingering-close";

    private ScheduledFuture<?> idle;

    private LingeringClose() {
    }

    /** Half-closes channel and discards its input until it can be closed; a channel that cannot, closes now. */
    static void start(Channel channel) {
        if (!(channel instanceof DuplexChannel duplex) || !channel.isActive()
                || channel.pipeline().get(NAME) != null) {
            channel.close();
            return;
        }
        LingeringClose lingering = new LingeringClose();
        channel.pipeline().addFirst(NAME, lingering);
        channel.config().setAutoRead(true);
        duplex.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, MAX_MILLIS, TimeUnit.MILLISECONDS);
        lingering.rearm(channel);
        channel.read();
    }

    private void rearm(Channel channel) {
        if (idle != null) {
            idle.cancel(false);
        }
        idle = channel.eventLoop().schedule(() -> {
            channel.close();
        }, IDLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        rearm(ctx.channel());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Swallowed: the handlers behind this one are done with the connection.
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idle != null) {
            idle.cancel(false);
        }
        ctx.fireChannelInactive();
    }
}
