package org.sluice.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.sluice.proxy.task.TaskClaims;

/**
 * Attributes each request to the task its vantage6 container token claims ({@link TaskClaims}, unverified), before
 * the policy decides, so that denied requests carry their task too. A token that does not parse gives no task and
 * changes nothing else. Keep-alive clients send the same token every time: the last one is remembered, so the
 * common path is one string comparison.
 */
final class TaskAttribution extends ChannelInboundHandlerAdapter {
    private final ConnectionContext conn;
    private String lastAuthorization;
    private TaskClaims lastClaims;

    TaskAttribution(ConnectionContext conn) {
        this.conn = conn;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (authorization != null && !authorization.equals(lastAuthorization)) {
                lastClaims = TaskClaims.fromAuthorization(authorization);
                lastAuthorization = authorization;
            }
            conn.current.task = authorization == null ? null : lastClaims;
        }
        ctx.fireChannelRead(msg);
    }
}
