package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The one error path: every answer Sluice makes itself is built here, with its status, {@code X-Sluice-Error},
 * JSON body and request id, and its exchange is recorded once the answer is written.
 */
final class ErrorResponder {
    private static final byte[] REQUEST_ID_FIELD = ",\"requestId\":\"".getBytes(StandardCharsets.US_ASCII);

    private ErrorResponder() {
    }

    static void refuse(ChannelHandlerContext ctx, ConnectionContext conn, Exchange ex, Refusal refusal, String reason) {
        refuse(ctx, conn, ex, refusal, reason, refusal.code);
    }

    /**
     * Answers {@code refusal} unless a response is already under way, in which case the connection is closed
     * (the client sees a cut response, never a second status line). {@code outcome} is the audit's error field.
     */
    static void refuse(ChannelHandlerContext ctx, ConnectionContext conn, Exchange ex, Refusal refusal,
                       String reason, String outcome) {
        if (ex.finished()) {
            return;
        }
        ex.refused = true;
        ex.reason = reason;
        ex.error = outcome;
        if (ex.responseStarted) {
            ex.closeAfterResponse = true;
            ctx.close();
            conn.finish(ex);
            return;
        }
        // A body still on its way is never parsed: the connection ends after the answer, lingering so that a
        // client still writing that body gets the answer rather than a reset. After any 400 the connection is not
        // trusted to be in step with the client, so it ends too, whichever handler refused.
        boolean close = ex.closeAfterResponse || ex.hasBody || refusal == Refusal.BAD_REQUEST
                || conn.gateway.draining().get();
        ex.closeAfterResponse = close; // and no request pipelined behind this one is let through (PipelineOrderer)
        ex.status = refusal.status.code();
        ex.responseStarted = true;
        FullHttpResponse response = response(ctx, ex.id, refusal, reason, close);
        if (ex.tunnel) {
            response.headers().set(ProxyStatus.NAME, ProxyStatus.value(refusal, outcome, reason));
        }
        if (refusal == Refusal.BUDGET_EXCEEDED && ex.retryAfterSeconds >= 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, ex.retryAfterSeconds);
        }
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
            conn.finish(ex);
            if (!f.isSuccess()) {
                f.channel().close();
            } else if (ex.hasBody) {
                LingeringClose.start(f.channel());
            } else if (close) {
                f.channel().close();
            }
        });
    }

    static FullHttpResponse response(ChannelHandlerContext ctx, String requestId, Refusal refusal, String reason,
                                     boolean close) {
        ByteBuf body = ctx.alloc().buffer(refusal.bodyStart.length + reason.length() + 64);
        body.writeBytes(refusal.bodyStart);
        Json.writeQuoted(body, reason);
        body.writeBytes(REQUEST_ID_FIELD).writeCharSequence(requestId, StandardCharsets.US_ASCII);
        body.writeByte('"').writeByte('}');
        // Sluice's own answers never have trailers: no headers object is made for them.
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, refusal.status, body,
                DefaultHttpHeadersFactory.headersFactory().newHeaders(), EmptyHttpHeaders.INSTANCE);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        headers.set(SluiceHeaders.ERROR, refusal.headerValue);
        headers.set(SluiceHeaders.REQUEST_ID, requestId);
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }
}
