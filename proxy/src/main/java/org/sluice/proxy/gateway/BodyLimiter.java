package org.sluice.proxy.gateway;

import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Enforces maxRequestBodyBytes before a byte leaves: a declared Content-Length above the limit is refused at
 * once; a chunked body is held until it ends (then forwarded with a Content-Length) or crosses the limit.
 * Answers {@code Expect: 100-continue} only once policy and limit have said yes.
 */
final class BodyLimiter extends ChannelInboundHandlerAdapter {
    private final ConnectionContext conn;
    private HttpRequest heldHead;
    private CompositeByteBuf heldBody;
    private long limit;

    BodyLimiter(ConnectionContext conn) {
        this.conn = conn;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            onHead(ctx, request);
        } else if (heldHead != null && msg instanceof HttpContent content) {
            hold(ctx, content);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest request) {
        Exchange ex = conn.current;
        limit = ex.decision.limits().maxRequestBodyBytes();
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
            ReferenceCountUtil.release(request);
            ErrorResponder.refuse(ctx, conn, ex, Refusal.BAD_REQUEST,
                    "the only expectation Sluice supports is 'Expect: 100-continue'");
            return;
        }
        if (HttpUtil.isTransferEncodingChunked(request)) {
            heldHead = request;
            heldBody = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            continueIfExpected(ctx, request);
            return;
        }
        long declared = HttpUtil.getContentLength(request, 0L);
        if (declared > limit) {
            ReferenceCountUtil.release(request);
            ErrorResponder.refuse(ctx, conn, ex, Refusal.BODY_TOO_LARGE, "the body is " + declared
                    + " bytes; rule " + ruleLabel(ex) + " allows at most " + limit + " (maxRequestBodyBytes)");
            return;
        }
        continueIfExpected(ctx, request);
        ctx.fireChannelRead(request);
    }

    private void hold(ChannelHandlerContext ctx, HttpContent content) {
        Exchange ex = conn.current;
        if ((long) heldBody.readableBytes() + content.content().readableBytes() > limit) {
            content.release();
            releaseHeld();
            ErrorResponder.refuse(ctx, conn, ex, Refusal.BODY_TOO_LARGE, "the chunked body grew past "
                    + limit + " bytes, the most rule " + ruleLabel(ex) + " allows (maxRequestBodyBytes)");
            return;
        }
        heldBody.addComponent(true, content.content().retain());
        content.release();
        if (content instanceof LastHttpContent) {
            HttpRequest head = heldHead;
            FullHttpRequest whole = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                    heldBody, head.headers(), LastHttpContent.EMPTY_LAST_CONTENT.trailingHeaders());
            heldHead = null;
            heldBody = null;
            // The body is whole now: it goes upstream with a plain length, never as chunks.
            HttpHeaders headers = whole.headers();
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, whole.content().readableBytes());
            ctx.fireChannelRead(whole);
        }
    }

    private static String ruleLabel(Exchange ex) {
        return ex.decision.rule() == null ? "(none)" : "'" + ex.decision.rule() + "'";
    }

    private static void continueIfExpected(ChannelHandlerContext ctx, HttpRequest request) {
        if (HttpUtil.is100ContinueExpected(request)) {
            request.headers().remove(HttpHeaderNames.EXPECT);
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    ctx.alloc().buffer(0)));
        }
    }

    private void releaseHeld() {
        heldHead = null;
        if (heldBody != null) {
            heldBody.release();
            heldBody = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }
}
