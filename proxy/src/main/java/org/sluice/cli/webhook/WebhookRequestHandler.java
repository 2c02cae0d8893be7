package org.sluice.cli.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.sluice.cli.inject.AdmissionReviews;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POST /mutate and /validate (AdmissionReview JSON in and out), GET /healthz. The work is parsing and rewriting one
 * small JSON tree, no I/O, so it runs on the event loop. Stateless (the policy in force is read once per review):
 * one instance serves every connection.
 */
@ChannelHandler.Sharable
final class WebhookRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookRequestHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<AdmissionReviews> reviews;

    /** {@code reviews} is asked once per review, for the policy in force. */
    WebhookRequestHandler(Supplier<AdmissionReviews> reviews) {
        this.reviews = reviews;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "bad request\n"), false);
            return;
        }
        String path = request.uri().split("\\?", 2)[0];
        switch (path) {
            case "/healthz" -> send(ctx, request, HttpMethod.GET.equals(request.method())
                    ? text(HttpResponseStatus.OK, "ok\n")
                    : text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n"), true);
            case "/mutate", "/validate" -> send(ctx, request, HttpMethod.POST.equals(request.method())
                    ? review(request, path.equals("/mutate"))
                    : text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n"), true);
            default -> send(ctx, request, text(HttpResponseStatus.NOT_FOUND, "not found\n"), true);
        }
    }

    private FullHttpResponse review(FullHttpRequest request, boolean mutate) {
        JsonNode review;
        try (ByteBufInputStream body = new ByteBufInputStream(request.content())) {
            review = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return text(HttpResponseStatus.BAD_REQUEST, "not JSON: " + e.getOriginalMessage() + "\n");
        } catch (IOException e) {
            return text(HttpResponseStatus.BAD_REQUEST, "unreadable body\n");
        }
        try {
            AdmissionReviews inForce = reviews.get();
            JsonNode answer = mutate ? inForce.mutate(review) : inForce.validate(review);
            JsonNode response = answer.path("response");
            if (!response.path("allowed").asBoolean()) {
                LOG.info("{} refused uid {}: {}", mutate ? "mutate" : "validate", response.path("uid").asText(),
                        response.path("status").path("message").asText());
            }
            FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(JSON.writeValueAsBytes(answer)));
            http.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            return http;
        } catch (AdmissionReviews.BadReview e) {
            return text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return response;
    }

    /** Writes response (ownership passes to the channel); closes after it unless both sides keep alive. */
    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
            boolean mayKeepAlive) {
        boolean keepAlive = mayKeepAlive && HttpUtil.isKeepAlive(request);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("webhook connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
