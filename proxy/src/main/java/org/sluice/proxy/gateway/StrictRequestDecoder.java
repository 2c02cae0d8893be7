package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import java.util.function.Consumer;

/**
 * Frames requests on a client connection: each head through {@link RequestHeadParser} (a request whose headers
 * are {@link IndexedHeaders} over the head's bytes), then its body by Content-Length or chunked framing
 * ({@link BodyFramer}, as strict as the head), as Netty message parts; trailer fields end the body as a last part
 * that carries them, for the intake to refuse.
 *
 * <p>A head or a body that fails becomes a failed message, and everything after it on the connection is discarded:
 * the intake answers 400 and closes. A body the connection's end cuts short is never completed: nothing marks it
 * last, and the exchange ends as the client's close.
 */
final class StrictRequestDecoder extends FramingDecoder {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final RequestHeadParser heads;
    private final Consumer<HttpMethod> onRequest;

    /**
     * @param maxLine   the longest request line (and chunk size line), in bytes
     * @param maxFields the most bytes of header (and trailer) lines
     * @param maxPart   the largest body part passed on at once
     * @param onRequest told each request's method as its head is passed on (the response encoder needs it)
     */
    StrictRequestDecoder(int maxLine, int maxFields, int maxPart, Consumer<HttpMethod> onRequest) {
        super(new BodyFramer(maxLine, maxFields, maxPart, BodyFramer.Trailers.HAND_ON));
        this.heads = new RequestHeadParser(maxLine, maxFields);
        this.onRequest = onRequest;
    }

    @Override
    void head(ByteBuf in, List<Object> out) {
        while (in.isReadable() && (in.getByte(in.readerIndex()) == CR || in.getByte(in.readerIndex()) == LF)) {
            in.skipBytes(1); // empty lines before a request line: skipped (RFC 9112 2.2), not kept
        }
        if (!in.isReadable()) {
            return;
        }
        RequestHeadParser.Result parsed = heads.parse(in);
        if (parsed.waiting()) {
            return;
        }
        if (parsed.failure() != null) {
            discard(in);
            out.add(invalidHead(parsed.failure()));
            return;
        }
        in.skipBytes(parsed.length());
        RequestHead head = parsed.head();
        onRequest.accept(head.method());
        out.add(new DefaultHttpRequest(head.version(), head.method(), head.target(), new IndexedHeaders(head)));
        if (head.chunked()) {
            body.chunked();
            bodyFollows();
        } else if (head.contentLength() > 0) {
            body.fixed(head.contentLength());
            bodyFollows();
        } else {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** A stand-in for a head that failed; what it says about itself is never read (the intake records nulls). */
    private FullHttpRequest invalidHead(Exception cause) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                Unpooled.EMPTY_BUFFER);
        request.setDecoderResult(DecoderResult.failure(cause));
        onRequest.accept(HttpMethod.GET);
        return request;
    }
}
