package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.sluice.policy.Listener;
import org.sluice.proxy.upstream.CentralServerUpstream;
import org.sluice.proxy.upstream.ConnectFailure;
import org.sluice.proxy.upstream.Upstream;
import org.sluice.proxy.upstream.UpstreamAddressDeniedException;
import org.sluice.proxy.upstream.UpstreamListener;

/**
 * Streams an allowed request to its upstream (the central server, or a forward request's destination) and the
 * response back, on one event loop, with
 * backpressure both ways by autoRead. Sends the head UpstreamHeadRewriter made and counts every byte it sends. Cuts responses
 * above maxResponseBodyBytes and answers 502/504 when the central server fails or stays silent.
 */
final class UpstreamRelay extends ChannelInboundHandlerAdapter implements UpstreamListener {
    private final ConnectionContext conn;
    /** The current exchange's upstream: the central server, or a forward request's destination. */
    private Upstream upstream;
    private final long responseTimeoutNanos;
    private final Runnable timeoutCheck = this::checkTimeout;
    private final ArrayDeque<HttpObject> beforeConnect = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    private Exchange ex;
    private long maxResponseBytes;
    private Channel upstreamChannel;
    private final UpstreamAddressText addresses = new UpstreamAddressText();
    private boolean requestSent;
    /** The central server stopped reading the request; what is left of it is dropped, its answer still read. */
    private boolean writeFailed;
    /** A bodyless idempotent request: it may be sent once more if a reused connection turns out to be dead. */
    private HttpRequest replayable;
    private boolean connectionReused;
    private boolean replayed;
    private boolean upstreamKeepAlive;
    private boolean skippingInformational;
    private boolean upstreamFlushPending;
    private long lastUpstreamActivity;
    private ScheduledFuture<?> timer;
    private final BodyDigest bodyDigest = new BodyDigest();

    UpstreamRelay(ConnectionContext conn) {
        this.conn = conn;
        this.responseTimeoutNanos = conn.gateway.timeouts().response().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---- client -> upstream

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            start(request);
        } else if (msg instanceof HttpContent content) {
            if (ex == null || ex.finished()) {
                content.release();
            } else if (upstreamChannel == null) {
                beforeConnect.add(content);
            } else {
                send(content);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(HttpRequest request) {
        ex = conn.current;
        ex.upstreamStartNanos = System.nanoTime();
        upstream = ex.route.upstream();
        bodyDigest.start();
        maxResponseBytes = ex.decision.limits().maxResponseBodyBytes();
        requestSent = false;
        writeFailed = false;
        skippingInformational = false;
        replayed = false;
        // UpstreamHeadRewriter has already made the head the one the upstream gets.
        replayable = !ex.hasBody && !(request instanceof FullHttpRequest) && isIdempotent(request.method())
                ? request : null;
        beforeConnect.add(request);
        acquire();
    }

    private void acquire() {
        Exchange mine = ex;
        Future<Channel> acquired = upstream.acquire(ctx.channel().eventLoop());
        if (acquired.isDone()) {
            connected(mine, acquired); // an idle pooled connection: no need to pause the client
            return;
        }
        conn.pauseReading(ConnectionContext.CONNECTING);
        acquired.addListener((FutureListener<Channel>) f -> connected(mine, f));
    }

    private static boolean isIdempotent(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.PUT || method == HttpMethod.DELETE;
    }

    /**
     * A pooled connection the central server had already closed fails before any answer. A bodyless idempotent
     * request is then sent once more on a fresh connection, as RFC 9110 9.2.2 allows; anything else gets 502.
     */
    private boolean replayOnFreshConnection() {
        if (replayable == null || replayed || !connectionReused || ex.responseStarted) {
            return false;
        }
        replayed = true;
        requestSent = false;
        beforeConnect.add(replayable);
        beforeConnect.add(LastHttpContent.EMPTY_LAST_CONTENT);
        acquire();
        return true;
    }

    private void connected(Exchange mine, Future<Channel> acquired) {
        if (mine != ex || mine.finished()) {
            if (acquired.isSuccess()) {
                mine.route.upstream().release(acquired.getNow());
            }
            return;
        }
        if (!acquired.isSuccess()) {
            releaseBeforeConnect();
            conn.resumeReading(ConnectionContext.CONNECTING);
            if (acquired.cause() instanceof UpstreamAddressDeniedException denied) {
                // The central server is the operator's choice (502); a forward destination is the client's (403).
                boolean forward = upstream.destination().listener() == Listener.FORWARD;
                ex.deniedAfterDecision = forward;
                Refusal refusal = forward ? Refusal.DENIED : Refusal.UPSTREAM_FAILED;
                ErrorResponder.refuse(ctx, conn, ex, refusal, upstream.describe() + " is not dialled: "
                        + denied.getMessage() + ", which the policy refuses (see allowPrivate)",
                        UpstreamAddressDeniedException.ERROR);
                return;
            }
            ErrorResponder.refuse(ctx, conn, ex, Refusal.UPSTREAM_FAILED, acquired.cause() instanceof ConnectFailure
                    ? acquired.cause().getMessage() : "cannot reach " + upstream.describe() + ": "
                    + describe(acquired.cause()));
            return;
        }
        upstreamChannel = acquired.getNow();
        connectionReused = CentralServerUpstream.attach(upstreamChannel, this);
        ex.upstreamAddress = addresses.of(upstreamChannel);
        HttpObject next;
        while (upstreamChannel != null && (next = beforeConnect.poll()) != null) {
            send(next);
        }
        flushUpstream();
        conn.resumeReading(ConnectionContext.CONNECTING);
        if (upstreamChannel != null && !upstreamChannel.isWritable()) {
            conn.pauseReading(ConnectionContext.UPSTREAM_BUSY);
        }
    }

    /** Passes ownership of {@code msg} to the upstream channel (or releases it once writing has failed). */
    private void send(HttpObject msg) {
        if (writeFailed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head) {
            ex.reqBytesSent += RequestHeadBytes.of(head);
        }
        if (msg instanceof HttpContent content) {
            ByteBuf body = content.content();
            int length = body.readableBytes();
            if (length > 0) {
                ex.reqBytes += length;
                ex.reqBytesSent += length;
                bodyDigest.update(body);
            }
        }
        upstreamChannel.write(msg, upstreamChannel.voidPromise());
        upstreamFlushPending = true;
        if (msg instanceof LastHttpContent) {
            requestSent = true;
            ex.reqSha256 = bodyDigest.finish();
            flushUpstream();
            lastUpstreamActivity = System.nanoTime();
            armTimer();
        }
    }

    private void flushUpstream() {
        if (upstreamFlushPending && upstreamChannel != null) {
            upstreamFlushPending = false;
            upstreamChannel.flush();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushUpstream();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void upstreamWriteFailed() {
        if (writeFailed || ex == null || ex.finished()) {
            return;
        }
        writeFailed = true;
        conn.resumeReading(ConnectionContext.UPSTREAM_BUSY);
        // The answer, if any, is due within the response timeout, as after a request sent whole.
        lastUpstreamActivity = System.nanoTime();
        armTimer();
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        if (writable) {
            conn.resumeReading(ConnectionContext.UPSTREAM_BUSY);
        } else {
            conn.pauseReading(ConnectionContext.UPSTREAM_BUSY);
        }
    }

    // ---- upstream -> client

    @Override
    public void upstreamRead(Object msg) {
        if (ex == null || ex.finished()) {
            ReferenceCountUtil.release(msg);
            discardUpstream();
            return;
        }
        lastUpstreamActivity = System.nanoTime();
        if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
            // The decoder's stand-in (status 999) or a broken chunk must never reach the client.
            String reason = upstream.describe() + "'s response is not valid HTTP: " + describe(object.decoderResult().cause());
            ReferenceCountUtil.release(msg);
            discardUpstream();
            ErrorResponder.refuse(ctx, conn, ex, Refusal.UPSTREAM_FAILED, reason,
                    ex.responseStarted ? "upstream_malformed" : Refusal.UPSTREAM_FAILED.code);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // Sluice answered any 100-continue itself; interim responses from upstream are not relayed.
                skippingInformational = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            if (!responseHead(response)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (!(msg instanceof HttpContent)) {
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            if (skippingInformational) {
                skippingInformational = !(content instanceof LastHttpContent);
                content.release();
                return;
            }
            responseBody(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Writes the response head to the client; false when the response was refused instead. */
    private boolean responseHead(HttpResponse response) {
        // A HEAD, 204 or 304 response's Content-Length describes a body that does not follow.
        long declared = bodiless(response) ? -1L : HttpUtil.getContentLength(response, -1L);
        if (declared > maxResponseBytes) {
            ex.status = response.status().code();
            discardUpstream();
            ErrorResponder.refuse(ctx, conn, ex, Refusal.UPSTREAM_FAILED, upstream.describe() + "'s response is "
                    + declared + " bytes; maxResponseBodyBytes allows " + maxResponseBytes, "response_too_large");
            return false;
        }
        ex.status = response.status().code();
        ex.upstreamNanos = System.nanoTime() - ex.upstreamStartNanos;
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        // Relayed in place, like the request: only the hop-by-hop headers change.
        HttpHeaders headers = response.headers();
        HopByHopHeaders.remove(headers, true);
        headers.set(SluiceHeaders.REQUEST_ID, ex.id);
        boolean close = ex.closeAfterResponse || conn.gateway.draining().get();
        if (chunked && ex.clientHttp10) {
            // An HTTP/1.0 client cannot read chunks: send the body raw and mark its end by closing.
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            close = true;
        } else if (!chunked && !response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                && !bodiless(response)) {
            close = true;
        }
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (ex.clientHttp10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ex.closeAfterResponse = close;
        ex.responseStarted = true;
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        // UpstreamCodec passes a response on whole (a last part too, written with its body by responseBody) or as a
        // head alone, whose body parts follow.
        if (!(response instanceof LastHttpContent)) {
            ctx.write(response, ctx.voidPromise());
        }
        return true;
    }

    private boolean bodiless(HttpResponse response) {
        int code = response.status().code();
        return "HEAD".equals(ex.method) || code == 204 || code == 304;
    }

    private void responseBody(HttpContent content) {
        ex.respBytes += content.content().readableBytes();
        if (ex.respBytes > maxResponseBytes) {
            content.release();
            discardUpstream();
            ErrorResponder.refuse(ctx, conn, ex, Refusal.UPSTREAM_FAILED, upstream.describe() + "'s response grew past "
                    + maxResponseBytes + " bytes (maxResponseBodyBytes); the connection was cut",
                    "response_too_large");
            return;
        }
        if (content instanceof LastHttpContent) {
            finishResponse(content);
            return;
        }
        ctx.write(content, ctx.voidPromise());
        if (!ctx.channel().isWritable() && upstreamChannel != null) {
            upstreamChannel.config().setAutoRead(false);
        }
    }

    private void finishResponse(HttpContent last) {
        Channel used = upstreamChannel;
        upstreamChannel = null;
        used.config().setAutoRead(true);
        if (upstreamKeepAlive && requestSent && !writeFailed) {
            upstream.release(used);
        } else {
            CentralServerUpstream.discard(used);
        }
        Exchange done = ex;
        ex = null;
        if (!requestSent || writeFailed) {
            // The central server answered before the body was all sent; the rest would only be thrown away.
            done.closeAfterResponse = true;
        }
        boolean close = done.closeAfterResponse;
        boolean bodyStillComing = !requestSent || writeFailed;
        ctx.writeAndFlush(last).addListener((ChannelFutureListener) f -> {
            conn.finish(done);
            if (!f.isSuccess()) {
                f.channel().close();
            } else if (bodyStillComing) {
                LingeringClose.start(f.channel());
            } else if (close) {
                f.channel().close();
            }
        });
    }

    @Override
    public void upstreamReadComplete() {
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstreamChannel != null) {
            upstreamChannel.config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void upstreamClosed(Throwable cause) {
        upstreamChannel = null;
        cancelTimer();
        if (ex == null || ex.finished()) {
            return;
        }
        if (replayOnFreshConnection()) {
            return;
        }
        String detail = cause == null ? "" : ": " + describe(cause);
        if (ex.responseStarted) {
            ErrorResponder.refuse(ctx, conn, ex, Refusal.UPSTREAM_FAILED,
                    "the connection to " + upstream.describe() + " broke during the response" + detail, "upstream_reset");
        } else if (cause instanceof SSLHandshakeException) {
            // Host name, CA, pin or client certificate: the message names the check that failed.
            ErrorResponder.refuse(ctx, conn, ex, Refusal.UPSTREAM_FAILED,
                    "the TLS handshake with " + upstream.describe() + " failed" + detail);
        } else {
            ErrorResponder.refuse(ctx, conn, ex, Refusal.UPSTREAM_FAILED,
                    upstream.describe() + " closed the connection before answering" + detail);
        }
    }

    // ---- timeouts

    /**
     * Keeps one timer per connection instead of one per request: scheduling and cancelling a task for every
     * request costs more than the check. A timer that finds nothing waiting simply lapses.
     */
    private void armTimer() {
        if (timer == null) {
            schedule(responseTimeoutNanos);
        }
    }

    private void schedule(long delayNanos) {
        timer = ctx.executor().schedule(timeoutCheck, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** One timer per exchange: re-armed for the remaining time instead of being reset on every read. */
    private void checkTimeout() {
        timer = null;
        if (ex == null || ex.finished() || upstreamChannel == null || !(requestSent || writeFailed)) {
            return;
        }
        long quietFor = System.nanoTime() - lastUpstreamActivity;
        if (quietFor < responseTimeoutNanos) {
            schedule(responseTimeoutNanos - quietFor);
            return;
        }
        discardUpstream();
        String limit = TimeUnit.NANOSECONDS.toMillis(responseTimeoutNanos) + " ms (" + conn.gateway.listener()
                + ".timeouts.response)";
        if (ex.responseStarted) {
            ErrorResponder.refuse(ctx, conn, ex, Refusal.UPSTREAM_TIMEOUT,
                    upstream.describe() + " stopped sending its response for " + limit);
        } else {
            ErrorResponder.refuse(ctx, conn, ex, Refusal.UPSTREAM_TIMEOUT,
                    upstream.describe() + " did not answer within " + limit);
        }
    }

    // ---- the client goes away

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseBeforeConnect();
        cancelTimer();
        discardUpstream();
        Exchange open = conn.current;
        if (open != null && !open.finished()) {
            if (open.error == null) {
                open.error = "client_closed";
            }
            conn.finish(open);
        }
        ex = null;
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBeforeConnect();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void discardUpstream() {
        if (upstreamChannel != null) {
            CentralServerUpstream.discard(upstreamChannel);
            upstreamChannel = null;
        }
    }

    private void releaseBeforeConnect() {
        HttpObject msg;
        while ((msg = beforeConnect.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
