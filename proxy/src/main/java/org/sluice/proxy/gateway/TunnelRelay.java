package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.sluice.proxy.budget.BudgetLedger;
import org.sluice.proxy.upstream.ConnectFailure;

/**
 * Relays a tunnel's bytes both ways once {@link SniCheck} has let its ClientHello through: connects to exactly the
 * address checked before the 200, counts the bytes each way, applies backpressure by autoRead, and writes the
 * tunnel's one audit record when either side closes (or {@code forward.timeouts.tunnelIdle} passes with no byte,
 * or Sluice stops).
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {
    private static final long QUIET_MILLIS = 500;

    private final ConnectionContext conn;
    private final Exchange ex;
    private final Tunnels tunnels;
    private final InetSocketAddress checked;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Channel upstream;
    private boolean connecting;
    /** System.nanoTime() of the last byte either way: a draining Sluice closes the tunnel once it is quiet. */
    private long lastActivity = System.nanoTime();

    TunnelRelay(ConnectionContext conn, Exchange ex, Tunnels tunnels, InetSocketAddress checked) {
        this.conn = conn;
        this.ex = ex;
        this.tunnels = tunnels;
        this.checked = checked;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** A check refused the tunnel before anything was relayed: it is closed, and audited as denied. */
    void refuse(String code, String reason) {
        if (ex.closeReason != null) {
            return;
        }
        ex.deniedAfterDecision = true;
        ex.error = code;
        ex.closeReason = code;
        ex.reason = reason;
        ctx.close();
    }

    // ---- client -> upstream

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes) || ex.closeReason != null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (upstream == null) {
            pending.add(bytes);
            if (!connecting) {
                connect();
            }
            return;
        }
        if (!charge(bytes)) {
            return;
        }
        ex.reqBytes += bytes.readableBytes();
        ex.reqBytesSent += bytes.readableBytes();
        lastActivity = System.nanoTime();
        upstream.write(bytes, upstream.voidPromise());
    }

    /**
     * Charges bytes about to leave to the egress budgets; when they do not fit, the bytes are dropped and the tunnel
     * is closed (audited {@code budget_exceeded}): what a tunnel sends counts like a request body.
     */
    private boolean charge(ByteBuf bytes) {
        BudgetLedger.Refusal refused = conn.gateway.budgets().chargeBytes(ex.policy.budgets(), conn.clientAddress,
                bytes.readableBytes(), System.currentTimeMillis());
        if (refused == null) {
            return true;
        }
        bytes.release();
        ex.error = Refusal.BUDGET_EXCEEDED.code;
        ex.closeReason = Refusal.BUDGET_EXCEEDED.code;
        ex.reason = refused.reason();
        conn.gateway.recorder().budgetRefused(refused.scope());
        ctx.close();
        return false;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upstream != null) {
            upstream.flush();
            if (!upstream.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }
        ctx.fireChannelReadComplete();
    }

    private void connect() {
        connecting = true;
        ctx.channel().config().setAutoRead(false);
        tunnels.upstreams().connectTunnel(ctx.channel().eventLoop(), checked, new UpstreamSide())
                .addListener((ChannelFutureListener) f -> {
                    connecting = false;
                    if (!f.isSuccess()) {
                        f.channel().close();
                        if (ex.closeReason == null) {
                            ex.error = Refusal.UPSTREAM_FAILED.code;
                            ex.closeReason = Refusal.UPSTREAM_FAILED.code;
                            ex.reason = ConnectFailure.describe(ex.route.destination().host() + ":"
                                    + ex.route.destination().port(), checked, f.cause());
                        }
                        ctx.close();
                        return;
                    }
                    if (!ctx.channel().isActive()) {
                        f.channel().close();
                        return;
                    }
                    upstream = f.channel();
                    ex.upstreamAddress = UpstreamAddressText.format(checked);
                    ByteBuf bytes;
                    while ((bytes = pending.poll()) != null) {
                        if (!charge(bytes)) {
                            return;
                        }
                        ex.reqBytes += bytes.readableBytes();
                        ex.reqBytesSent += bytes.readableBytes();
                        upstream.write(bytes, upstream.voidPromise());
                    }
                    upstream.flush();
                    ctx.channel().config().setAutoRead(upstream.isWritable());
                });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null) {
            upstream.config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (ex.closeReason == null) {
                ex.closeReason = "idle_timeout";
            }
            ctx.close();
            return;
        }
        if (evt == DrainEvent.INSTANCE) {
            closeWhenQuiet();
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    /**
     * Sluice is stopping: a tunnel has no end of its own to wait for, and clients keep idle ones open in their
     * pools, so it is closed as soon as no byte has moved for {@link #QUIET_MILLIS}; a busy one runs on until the
     * shutdown grace period ends and every connection is closed.
     */
    private void closeWhenQuiet() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivity);
        if (quietMillis >= QUIET_MILLIS) {
            ex.closeReason = ex.closeReason == null ? "shutdown" : ex.closeReason;
            ctx.close();
            return;
        }
        ctx.executor().schedule(this::closeWhenQuiet, QUIET_MILLIS - quietMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ByteBuf bytes;
        while ((bytes = pending.poll()) != null) {
            bytes.release();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (ex.closeReason == null) {
            ex.closeReason = conn.gateway.draining().get() ? "shutdown" : "client_closed";
        }
        conn.finish(ex);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    // ---- upstream -> client

    /** The upstream socket's end: on the client's event loop, so it shares the exchange without locks. */
    private final class UpstreamSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext upstreamCtx, Object msg) {
            if (!(msg instanceof ByteBuf bytes)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ex.respBytes += bytes.readableBytes();
            lastActivity = System.nanoTime();
            ctx.write(bytes, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext upstreamCtx) {
            ctx.flush();
            if (!ctx.channel().isWritable()) {
                upstreamCtx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext upstreamCtx) {
            ctx.channel().config().setAutoRead(upstreamCtx.channel().isWritable());
        }

        @Override
        public void channelInactive(ChannelHandlerContext upstreamCtx) {
            if (ex.closeReason == null) {
                ex.closeReason = "upstream_closed";
            }
            // What the upstream sent before closing still reaches the client.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext upstreamCtx, Throwable cause) {
            upstreamCtx.close();
        }
    }
}
