package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.sluice.policy.HostNames;

/**
 * The first bytes of a tunnel: collects the client's first TLS record and lets the tunnel through only when it
 * is a ClientHello whose server name (SNI) is the CONNECT host. The bytes are held, not relayed, until then, so
 * a refused tunnel never connects upstream. Gives the client {@code forward.timeouts.clientHello} to send it.
 */
final class SniCheck extends ChannelInboundHandlerAdapter {
    private final Exchange ex;
    private final TunnelRelay relay;
    private final Duration deadline;
    private final String expectedHost;
    private ByteBuf hello;
    private ScheduledFuture<?> timer;

    SniCheck(Exchange ex, TunnelRelay relay, Duration deadline) {
        this.ex = ex;
        this.relay = relay;
        this.deadline = deadline;
        this.expectedHost = ex.route.destination().host();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> relay.refuse("client_hello_timeout", "no complete TLS ClientHello "
                + "within " + deadline.toMillis() + " ms of the 200 (forward.timeouts.clientHello)"),
                deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        hello = hello == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), hello, bytes);
        ClientHelloReader.Result result = ClientHelloReader.read(hello);
        switch (result.outcome()) {
            case NEED_MORE -> { }
            case SERVER_NAME -> serverName(ctx, result.serverName());
            case NO_SERVER_NAME -> refuse("sni_missing", "the TLS ClientHello names no server (SNI); a tunnel "
                    + "is let through only when its server name is the CONNECT host " + expectedHost);
            case NOT_TLS -> refuse("not_tls", "the tunnel did not start with a TLS ClientHello ("
                    + result.problem() + "); CONNECT carries TLS only");
            case ENCRYPTED -> refuse("encrypted_client_hello", result.problem()
                    + "; a tunnel is let through only when its server name can be checked");
            case MALFORMED -> refuse("client_hello_malformed", "the TLS ClientHello cannot be read: "
                    + result.problem());
        }
    }

    private void serverName(ChannelHandlerContext ctx, String sent) {
        ex.sni = sent; // printable ASCII of at most 255 bytes: ClientHelloReader refuses anything else
        String normal;
        try {
            normal = HostNames.normalize(sent);
        } catch (IllegalArgumentException e) {
            normal = null;
        }
        if (!expectedHost.equals(normal)) {
            refuse("sni_mismatch", "the TLS server name '" + ex.sni + "' is not the CONNECT host " + expectedHost);
            return;
        }
        cancelTimer();
        ByteBuf checked = hello;
        hello = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(checked);
    }

    private void refuse(String code, String reason) {
        cancelTimer();
        release();
        relay.refuse(code, reason);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void release() {
        if (hello != null) {
            hello.release();
            hello = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        release();
    }
}
