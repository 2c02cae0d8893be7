package org.sluice.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import org.sluice.policy.Decision;
import org.sluice.policy.NormalizedPath;
import org.sluice.policy.PathNormalizer;

/**
 * Normalises the path and asks the exchange's policy. What it checked is what goes upstream: the exchange keeps
 * the normalised path and the relay sends exactly that.
 */
final class PolicyGate extends ChannelInboundHandlerAdapter {
    private final ConnectionContext conn;

    PolicyGate(ConnectionContext conn) {
        this.conn = conn;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Exchange ex = conn.current;
        Route route = ex.route;
        NormalizedPath normalized = PathNormalizer.normalize(route.rawPath());
        if (!normalized.ok()) {
            ReferenceCountUtil.release(request);
            ErrorResponder.refuse(ctx, conn, ex, Refusal.BAD_REQUEST, normalized.error());
            return;
        }
        ex.path = normalized.path();
        // The exchange's own policy, not the reference: the audit record names the policy that decided.
        Decision decision = ex.policy.decide(route.destination(), ex.method, ex.path, route.rawQuery());
        ex.decision = decision;
        ex.reason = decision.reason();
        if (!decision.forwards()) {
            ReferenceCountUtil.release(request);
            ErrorResponder.refuse(ctx, conn, ex, Refusal.DENIED, decision.reason());
            return;
        }
        ctx.fireChannelRead(request);
    }
}
