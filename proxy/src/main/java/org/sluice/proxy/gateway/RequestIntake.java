package org.sluice.proxy.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;

/**
 * The strict front door: opens an exchange per request, refuses what the decoder could not parse, targets that
 * are too long or that the listener's router refuses (not origin-form at the gateway, not an absolute http URL at
 * the forward listener), and everything while the audit log cannot take records. Body parts of a
 * refused request are dropped here, so nothing after this handler ever sees them. Every 400 closes the connection
 * ({@link ErrorResponder}): nothing pipelined behind it is decided.
 */
final class RequestIntake extends ChannelInboundHandlerAdapter {
    private final ConnectionContext conn;
    private final RequestIds ids;

    RequestIntake(ConnectionContext conn, RequestIds ids) {
        this.conn = conn;
        this.ids = ids;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            open(ctx, request);
        } else if (msg instanceof HttpContent content) {
            Exchange ex = conn.current;
            if (ex == null || ex.refused || ex.finished()) {
                content.release();
            } else if (content.decoderResult().isFailure()) {
                content.release();
                ErrorResponder.refuse(ctx, conn, ex, Refusal.BAD_REQUEST, "the request body is malformed: "
                        + describe(content.decoderResult()));
            } else if (content instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
                // Trailer fields would be headers no rule has seen; they are not forwarded, so refuse them.
                content.release();
                ErrorResponder.refuse(ctx, conn, ex, Refusal.BAD_REQUEST, "the chunked body ends with trailer "
                        + "fields, which Sluice does not forward; send them as headers the policy can check");
            } else {
                ctx.fireChannelRead(content);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void open(ChannelHandlerContext ctx, HttpRequest request) {
        conn.headArrived();
        DecoderResult result = request.decoderResult();
        // What a request that failed to parse says about itself (the decoder fills in a placeholder) is not kept.
        String target = result.isFailure() ? null : request.uri();
        String method = result.isFailure() ? null : request.method().name();
        Exchange ex = new Exchange(ids.next(), conn.gateway.policy().get(), method, target, declaresBody(request),
                HttpUtil.isKeepAlive(request));
        conn.current = ex;
        conn.gateway.inFlight().incrementAndGet();
        if (conn.gateway.draining().get()) {
            ex.closeAfterResponse = true;
        }
        Refusal refusal = null;
        String reason = null;
        int maxUrlBytes = conn.gateway.limits().maxUrlBytes();
        if (conn.overCap != null) {
            // Answered from the head alone; the connection ends with the answer.
            ex.closeAfterResponse = true;
            refusal = Refusal.UNAVAILABLE;
            reason = conn.overCap;
        } else if (result.isFailure()) {
            // The decoder has lost its place in the byte stream: answer and close.
            ex.closeAfterResponse = true;
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                refusal = Refusal.URL_TOO_LONG;
                reason = "the request line is longer than maxUrlBytes (" + maxUrlBytes + ") allows";
            } else if (cause instanceof TooLongHttpHeaderException) {
                refusal = Refusal.HEADERS_TOO_LARGE;
                reason = "the request headers are larger than maxHeaderBytes ("
                        + conn.gateway.limits().maxHeaderBytes() + ") allows";
            } else {
                refusal = Refusal.BAD_REQUEST;
                reason = "the request is malformed: " + describe(result);
            }
        } else if (target.length() > maxUrlBytes) {
            refusal = Refusal.URL_TOO_LONG;
            reason = "the request target is " + target.length() + " bytes; maxUrlBytes allows " + maxUrlBytes;
        } else if ((reason = StrictRequestCheck.problem(request)) != null) {
            // Ambiguous framing or a protocol switch: a 400, so the connection ends with the answer.
            refusal = Refusal.BAD_REQUEST;
        } else if (!conn.gateway.audit().accepting()) {
            refusal = Refusal.UNAVAILABLE;
            reason = "the audit log cannot be written, and nothing is forwarded unrecorded; try again later";
        }
        if (refusal == null) {
            ex.route = conn.gateway.router().route(request);
            if (ex.route.problem() != null) {
                refusal = Refusal.BAD_REQUEST;
                reason = ex.route.problem();
                ex.route = null;
            }
        }
        if (refusal != null) {
            ReferenceCountUtil.release(request);
            ErrorResponder.refuse(ctx, conn, ex, refusal, reason);
            return;
        }
        ctx.fireChannelRead(request);
    }

    /**
     * The head did not complete within gateway.timeouts.requestHeader: one audited 400, then the connection ends.
     * Counted as having a body so that the close lingers: what the client still sends is discarded, not decoded.
     */
    private void refuseIncompleteHead(ChannelHandlerContext ctx) {
        Exchange ex = new Exchange(ids.next(), conn.gateway.policy().get(), null, null, true, false);
        conn.current = ex;
        conn.gateway.inFlight().incrementAndGet();
        ex.closeAfterResponse = true;
        conn.pauseReading(ConnectionContext.AWAITING_RESPONSE);
        ErrorResponder.refuse(ctx, conn, ex, Refusal.BAD_REQUEST, "request head not complete within "
                + spelt(conn.gateway.timeouts().requestHeader()) + " (" + conn.gateway.listener() + ".timeouts.requestHeader)");
    }

    /** As a config file would spell it: 10s, 1500ms. */
    private static String spelt(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static boolean declaresBody(HttpRequest request) {
        try {
            return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static String describe(DecoderResult result) {
        Throwable cause = result.cause();
        String message = cause == null ? null : cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause == null ? "unknown error" : cause.getClass().getSimpleName();
        }
        return message.length() <= 200 ? message : message.substring(0, 200) + "...";
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && conn.current == null) {
            // A keep-alive connection with nothing in flight has been quiet for gateway.timeouts.idle.
            ctx.close();
            return;
        }
        if (evt == RequestHeadDeadline.EXPIRED && conn.current == null) {
            refuseIncompleteHead(ctx);
            return;
        }
        if (evt == DrainEvent.INSTANCE && conn.current == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
