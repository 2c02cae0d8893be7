package org.sluice.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import org.sluice.proxy.task.TaskClaims;

/**
 * Attributes each request to the task its vantage6 container token claims ({@link TaskClaims}, unverified), before
 * the policy decides, so that denied requests carry their task too. A token that does not parse gives no task and
 * changes nothing else. Keep-alive clients send the same token every time: the last one is remembered, so the
 * common path is one comparison with the bytes of the head, without making a string of the token.
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
            CharSequence authorization = authorization(request);
            if (authorization != null && !AsciiString.contentEquals(authorization, lastAuthorization)) {
                lastAuthorization = authorization.toString();
                lastClaims = TaskClaims.fromAuthorization(lastAuthorization);
            }
            conn.current.task = authorization == null ? null : lastClaims;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The first Authorization value: of a head Sluice parsed, a view of its bytes (a token is hundreds of bytes,
     * and nothing has edited the head before the policy); of any other request, its header.
     */
    private static CharSequence authorization(HttpRequest request) {
        if (request.headers() instanceof IndexedHeaders indexed) {
            HeadFields head = indexed.head();
            int i = head.indexOf(HttpHeaderNames.AUTHORIZATION);
            return i < 0 ? null : head.value(i);
        }
        return request.headers().get(HttpHeaderNames.AUTHORIZATION);
    }
}
