package org.sluice.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.sluice.policy.Policy;
import org.sluice.proxy.metrics.SluiceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers the three admin paths; stateless, so one instance serves every connection. */
@ChannelHandler.Sharable
final class AdminRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminRequestHandler.class);
    private static final String TEXT = "text/plain; charset=utf-8";

    private final SluiceMetrics metrics;
    private final Supplier<List<String>> notReady;
    private final Supplier<Policy> policy;

    AdminRequestHandler(SluiceMetrics metrics, Supplier<List<String>> notReady, Supplier<Policy> policy) {
        this.metrics = metrics;
        this.notReady = notReady;
        this.policy = policy;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, text(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n"), false);
            return;
        }
        String path = pathOf(request.uri());
        boolean known = "/healthz".equals(path) || "/readyz".equals(path) || "/metrics".equals(path);
        if (!known) {
            send(ctx, request, text(ctx, HttpResponseStatus.NOT_FOUND, "not found\n"), true);
            return;
        }
        HttpMethod method = request.method();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            FullHttpResponse response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, request, response, true);
            return;
        }
        FullHttpResponse response = switch (path) {
            case "/healthz" -> text(ctx, HttpResponseStatus.OK, "ok\n");
            case "/readyz" -> readiness(ctx);
            default -> metricsText(ctx);
        };
        send(ctx, request, response, true);
    }

    /**
     * The first line says "ready" or "not ready:" (then one "- reason" line each), as before the policy lines were
     * added; then "policy: HASH", "rules: N" and "mode: enforce|report" of the policy in force.
     */
    private FullHttpResponse readiness(ChannelHandlerContext ctx) {
        List<String> reasons = notReady.get();
        boolean ready = reasons == null || reasons.isEmpty();
        StringBuilder body = new StringBuilder(ready ? "ready\n" : "not ready:\n");
        if (!ready) {
            for (String reason : reasons) {
                body.append("- ").append(reason).append('\n');
            }
        }
        Policy inForce = policy.get();
        if (inForce != null) {
            body.append("policy: ").append(inForce.hash()).append('\n')
                    .append("rules: ").append(inForce.ruleCount()).append('\n')
                    .append("mode: ").append(inForce.mode().name().toLowerCase(Locale.ROOT)).append('\n');
        }
        return text(ctx, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body.toString());
    }

    private FullHttpResponse metricsText(ChannelHandlerContext ctx) {
        ByteBuf body = ctx.alloc().buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            metrics.writeText(out);
        } catch (IOException | RuntimeException e) {
            body.release();
            LOG.error("writing metrics failed", e);
            return text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "metrics unavailable\n");
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, SluiceMetrics.CONTENT_TYPE);
        return response;
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteBuf content = ctx.alloc().buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT);
        return response;
    }

    /** Sends the response (taking ownership of it); a HEAD answer keeps the headers and drops the body. */
    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
                             boolean keepAliveAllowed) {
        boolean keepAlive = keepAliveAllowed && HttpUtil.isKeepAlive(request);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        FullHttpResponse out = response;
        if (HttpMethod.HEAD.equals(request.method())) {
            out = response.replace(Unpooled.EMPTY_BUFFER);
            response.release();
        }
        HttpUtil.setKeepAlive(out.headers(), request.protocolVersion(), keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(out, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The path part of the request target, without query or fragment. */
    static String pathOf(String uri) {
        int end = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return uri.substring(0, end);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException)) {
            LOG.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
