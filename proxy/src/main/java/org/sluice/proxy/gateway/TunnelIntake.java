package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FutureListener;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sluice.policy.Decision;
import org.sluice.policy.Destination;
import org.sluice.policy.ForwardTargets;
import org.sluice.proxy.budget.BudgetLedger;
import org.sluice.proxy.upstream.UpstreamAddressDeniedException;

/**
 * Takes over a connection whose first request is a CONNECT (forward listener only). From the CONNECT head on,
 * the bytes are not HTTP: the request decoder is removed at once and whatever the client sent after the head is
 * kept for the tunnel. The CONNECT is decided by the policy for its host and port, the host is resolved and every
 * address checked; only then does the client get 200, and the connection becomes a tunnel whose first bytes must
 * be a TLS ClientHello naming the CONNECT host ({@link SniCheck}), relayed by {@link TunnelRelay} to exactly the
 * address that was checked. Anything refused before the 200 is answered through the one error path and closes.
 */
final class TunnelIntake extends ChannelInboundHandlerAdapter {
    /** The HTTP handlers a tunnel has no use for; the codec goes too. */
    private static final List<String> HTTP_HANDLERS =
            List.of("idle", "headDeadline", "order", "intake", "policy", "bodyRate", "limits", "rewrite", "budget", "relay");

    private final ConnectionContext conn;
    private final RequestIds ids;
    private final Tunnels tunnels;
    private boolean sawRequest;
    /** The CONNECT being set up; from then on every read is raw tunnel bytes. */
    private Exchange ex;
    /** Bytes the client sent after the CONNECT head before the 200 (an eager ClientHello); null when none. */
    private CompositeByteBuf early;

    TunnelIntake(ConnectionContext conn, RequestIds ids) {
        this.conn = conn;
        this.ids = ids;
        this.tunnels = conn.gateway.tunnels();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ex != null) {
            keepEarly(ctx, msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            boolean first = !sawRequest;
            sawRequest = true;
            if (first && request.method() == HttpMethod.CONNECT && request.decoderResult().isSuccess()) {
                takeOver(ctx, request);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void keepEarly(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            if (early == null) {
                early = ctx.alloc().compositeBuffer();
            }
            early.addComponent(true, bytes);
        } else {
            ReferenceCountUtil.release(msg); // the decoder's empty end of the CONNECT, or an empty buffer
        }
    }

    private void takeOver(ChannelHandlerContext ctx, HttpRequest request) {
        conn.headArrived();
        String target = request.uri();
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        ReferenceCountUtil.release(request);
        Exchange tunnel = new Exchange(ids.next(), conn.gateway.policy().get(), HttpMethod.CONNECT.name(), target,
                false, false);
        tunnel.tunnel = true;
        tunnel.closeAfterResponse = true;
        ex = tunnel;
        conn.current = tunnel;
        conn.gateway.inFlight().incrementAndGet();
        conn.pauseReading(ConnectionContext.CONNECTING);
        // What follows the head is tunnel bytes: with the decoder gone they arrive here raw. The decoder hands
        // over what it holds at once, re-entering channelRead, which keeps it now that ex is set.
        ctx.pipeline().get(StrictServerCodec.class).stopDecoding();

        if (conn.overCap != null) {
            refuse(ctx, Refusal.UNAVAILABLE, conn.overCap);
            return;
        }
        if (conn.gateway.draining().get()) {
            refuse(ctx, Refusal.UNAVAILABLE, "Sluice is shutting down; try again later");
            return;
        }
        if (!conn.gateway.audit().accepting()) {
            refuse(ctx, Refusal.UNAVAILABLE,
                    "the audit log cannot be written, and nothing is forwarded unrecorded; try again later");
            return;
        }
        Destination destination;
        try {
            destination = ForwardTargets.connect(target);
        } catch (IllegalArgumentException e) {
            refuse(ctx, Refusal.BAD_REQUEST, e.getMessage());
            return;
        }
        if (NetUtil.isValidIpV4Address(destination.host()) || NetUtil.isValidIpV6Address(destination.host())) {
            refuse(ctx, Refusal.BAD_REQUEST, "CONNECT to an IP address is refused: a tunnel's TLS server name (SNI) "
                    + "must equal the CONNECT host, and a server name cannot be an IP address; connect by host name");
            return;
        }
        if (hosts.size() > 1) {
            refuse(ctx, Refusal.BAD_REQUEST, "the CONNECT carries " + hosts.size() + " Host headers; send one");
            return;
        }
        String disagreement = hosts.isEmpty() ? null : ForwardTargets.hostDisagreement(hosts.get(0), destination);
        if (disagreement != null) {
            refuse(ctx, Refusal.BAD_REQUEST, disagreement);
            return;
        }
        tunnel.route = new Route(destination, null, null, null, null);
        Decision decision = tunnel.policy.decideTunnel(destination);
        tunnel.decision = decision;
        tunnel.reason = decision.reason();
        if (!decision.forwards()) {
            refuse(ctx, Refusal.DENIED, decision.reason());
            return;
        }
        BudgetLedger.Refusal overBudget = conn.gateway.budgets().charge(tunnel.policy.budgets(), conn.clientAddress,
                0, System.currentTimeMillis());
        if (overBudget != null) {
            tunnel.retryAfterSeconds = overBudget.retryAfterSeconds();
            conn.gateway.recorder().budgetRefused(overBudget.scope());
            refuse(ctx, Refusal.BUDGET_EXCEEDED, overBudget.reason());
            return;
        }
        if (tunnels.open().incrementAndGet() > tunnels.maxTunnels()) {
            tunnels.open().decrementAndGet();
            refuse(ctx, Refusal.UNAVAILABLE, "forward.maxTunnels (" + tunnels.maxTunnels()
                    + ") tunnels are open; try again later");
            return;
        }
        ctx.channel().closeFuture().addListener(f -> tunnels.open().decrementAndGet());
        tunnels.upstreams().check(ctx.channel().eventLoop(), destination.host(), destination.port())
                .addListener((FutureListener<InetSocketAddress>) checked -> {
                    if (tunnel.finished() || !ctx.channel().isActive()) {
                        return;
                    }
                    if (checked.isSuccess()) {
                        established(ctx, checked.getNow());
                    } else if (checked.cause() instanceof UpstreamAddressDeniedException denied) {
                        tunnel.deniedAfterDecision = true;
                        ErrorResponder.refuse(ctx, conn, tunnel, Refusal.DENIED, destination.host() + " is not "
                                + "dialled: " + denied.getMessage() + ", which the policy refuses (see allowPrivate)",
                                UpstreamAddressDeniedException.ERROR);
                    } else {
                        String why = checked.cause() instanceof UnknownHostException unknown
                                ? unknown.getMessage() : String.valueOf(checked.cause());
                        refuse(ctx, Refusal.UPSTREAM_FAILED, "cannot resolve " + destination.host() + ": " + why);
                    }
                });
    }

    private void refuse(ChannelHandlerContext ctx, Refusal refusal, String reason) {
        releaseEarly();
        ErrorResponder.refuse(ctx, conn, ex, refusal, reason);
    }

    /** 200, then the connection is a tunnel: the HTTP handlers go, the TLS check and the relay come in. */
    private void established(ChannelHandlerContext ctx, InetSocketAddress checked) {
        // upstreamAddress stays null until TunnelRelay connects: a tunnel refused for its ClientHello dials nothing
        ex.status = 200;
        ex.responseStarted = true;
        ChannelPipeline pipeline = ctx.pipeline();
        for (String name : HTTP_HANDLERS) {
            if (pipeline.get(name) != null) {
                pipeline.remove(name);
            }
        }
        pipeline.remove(StrictServerCodec.class);
        ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(("HTTP/1.1 200 Connection Established\r\n"
                + "X-Sluice-Request-Id: " + ex.id + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        pipeline.addAfter(ctx.name(), "tunnelIdle",
                new IdleStateHandler(0, 0, tunnels.idle().toMillis(), TimeUnit.MILLISECONDS));
        TunnelRelay relay = new TunnelRelay(conn, ex, tunnels, checked);
        pipeline.addAfter("tunnelIdle", "sni", new SniCheck(ex, relay, tunnels.clientHello()));
        pipeline.addAfter("sni", "tunnel", relay);
        CompositeByteBuf sentEarly = early;
        early = null;
        if (sentEarly != null) {
            ctx.fireChannelRead(sentEarly);
        }
        pipeline.remove(this);
        conn.resumeReading(ConnectionContext.CONNECTING);
    }

    private void releaseEarly() {
        if (early != null) {
            early.release();
            early = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseEarly();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseEarly();
    }
}
