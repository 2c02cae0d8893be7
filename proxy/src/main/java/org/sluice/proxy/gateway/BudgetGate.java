package org.sluice.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import org.sluice.policy.config.BudgetsConfig;
import org.sluice.proxy.budget.BudgetLedger;

/**
 * Charges each allowed request to the egress budgets before it leaves: one request and every byte that would leave
 * with it, the head as rewritten for the upstream (request line and headers, where data can hide as well as in a
 * body) and the body, whose length is known here (the body limiter has turned a chunked body into one with a
 * length). Over a budget: 429 {@code budget_exceeded}, with Retry-After when the next window would help, and
 * nothing is forwarded.
 */
final class BudgetGate extends ChannelInboundHandlerAdapter {
    private final ConnectionContext conn;

    BudgetGate(ConnectionContext conn) {
        this.conn = conn;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Exchange ex = conn.current;
        BudgetsConfig budgets = ex.policy.budgets();
        if (!budgets.limited()) {
            ctx.fireChannelRead(request); // no budget: nothing to count on this hot path
            return;
        }
        BudgetLedger.Refusal refused = conn.gateway.budgets().charge(budgets, conn.clientAddress,
                ex.task == null ? null : ex.task.id(), RequestHeadBytes.of(request)
                        + HttpUtil.getContentLength(request, 0L), System.currentTimeMillis());
        if (refused != null) {
            ReferenceCountUtil.release(request);
            ex.retryAfterSeconds = refused.retryAfterSeconds();
            conn.gateway.recorder().budgetRefused(refused.scope());
            ErrorResponder.refuse(ctx, conn, ex, Refusal.BUDGET_EXCEEDED, refused.reason());
            return;
        }
        ctx.fireChannelRead(request);
    }
}
