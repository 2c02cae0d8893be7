package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Frames requests on a client connection: each head through {@link RequestHeadParser} (a request whose headers
 * are {@link IndexedHeaders} over the head's bytes), then its body by Content-Length or chunked framing, as Netty
 * message parts (body parts are slices of the received buffers, never copies). Chunk framing is as strict as the
 * head: hex sizes only (leading zeros allowed), extensions of visible characters, CRLF after every chunk's data;
 * trailer fields end the body as a last part that carries them, for the intake to refuse.
 *
 * <p>A head or a body that fails becomes a failed message, and everything after it on the connection is discarded:
 * the intake answers 400 and closes. A body the connection's end cuts short is never completed: nothing marks it
 * last, and the exchange ends as the client's close.
 */
final class StrictRequestDecoder extends ByteToMessageDecoder {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    /** Digits of a chunk size beyond leading zeros: more could not fit an int. */
    private static final int MAX_SIZE_DIGITS = 7;

    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, DISCARD }

    private final RequestHeadParser heads;
    private final int maxLine;
    private final int maxPart;
    private final Consumer<HttpMethod> onRequest;
    private State state = State.HEAD;
    /** Body bytes left of the fixed-length body or of the current chunk. */
    private long remaining;

    /**
     * @param maxLine   the longest request line (and chunk size line), in bytes
     * @param maxFields the most bytes of header (and trailer) lines
     * @param maxPart   the largest body part passed on at once
     * @param onRequest told each request's method as its head is passed on (the response encoder needs it)
     */
    StrictRequestDecoder(int maxLine, int maxFields, int maxPart, Consumer<HttpMethod> onRequest) {
        this.heads = new RequestHeadParser(maxLine, maxFields);
        this.maxLine = maxLine;
        this.maxPart = maxPart;
        this.onRequest = onRequest;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case HEAD -> head(in, out);
            case FIXED -> fixed(in, out);
            case CHUNK_SIZE -> chunkSize(in, out);
            case CHUNK_DATA -> chunkData(in, out);
            case CHUNK_END -> chunkEnd(in, out);
            case TRAILERS -> trailers(in, out);
            case DISCARD -> in.skipBytes(in.readableBytes());
        }
    }

    private void head(ByteBuf in, List<Object> out) {
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
            state = State.CHUNK_SIZE;
        } else if (head.contentLength() > 0) {
            remaining = head.contentLength();
            state = State.FIXED;
        } else {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    private void fixed(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(remaining, in.readableBytes()), maxPart);
        if (n == 0) {
            return;
        }
        ByteBuf part = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining == 0) {
            out.add(new DefaultLastHttpContent(part));
            state = State.HEAD;
        } else {
            out.add(new DefaultHttpContent(part));
        }
    }

    /** chunk-size [ ";" extensions ] CRLF */
    private void chunkSize(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = lineEnd(in, out, "a chunk size line");
        if (lf < 0) {
            return;
        }
        int end = lf - 1;
        int p = start;
        while (p < end && in.getByte(p) == '0') {
            p++;
        }
        long size = 0;
        int digits = 0;
        while (p < end && hex(in.getByte(p)) >= 0) {
            size = size * 16 + hex(in.getByte(p));
            digits++;
            p++;
        }
        boolean sized = p > start && digits <= MAX_SIZE_DIGITS && size <= Integer.MAX_VALUE;
        if (!sized || (p < end && !isExtensions(in, p, end))) {
            failBody(in, out, "a chunk size is not a hexadecimal number of at most " + MAX_SIZE_DIGITS
                    + " digits, optionally followed by ';' and extensions");
            return;
        }
        in.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
    }

    /** ";" then visible characters, spaces and tabs: what chunk extensions are made of. */
    private static boolean isExtensions(ByteBuf in, int from, int to) {
        if (in.getByte(from) != ';') {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            byte b = in.getByte(i);
            if ((b >= 0 && b < ' ' && b != '\t') || b == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private void chunkData(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(remaining, in.readableBytes()), maxPart);
        if (n == 0) {
            return;
        }
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining == 0) {
            state = State.CHUNK_END;
        }
    }

    private void chunkEnd(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        int at = in.readerIndex();
        if (readable == 0) {
            return;
        }
        if (in.getByte(at) != CR || (readable > 1 && in.getByte(at + 1) != LF)) {
            failBody(in, out, "a chunk's data is not followed by CRLF (the chunk is longer than its size says)");
            return;
        }
        if (readable > 1) {
            in.skipBytes(2);
            state = State.CHUNK_SIZE;
        }
    }

    /** After the last chunk: the empty line, or trailer fields, which end the body in a part that carries them. */
    private void trailers(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = lineEnd(in, out, "a line after the last chunk");
        if (lf < 0) {
            return;
        }
        if (lf == start + 1) {
            in.skipBytes(2);
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = State.HEAD;
            return;
        }
        // A trailer field: nothing after it is decided on; the intake refuses the request for it.
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER,
                DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
        String line = in.toString(start, lf - 1 - start, StandardCharsets.ISO_8859_1);
        int colon = line.indexOf(':');
        last.trailingHeaders().add(colon > 0 ? line.substring(0, colon) : line, colon > 0
                ? line.substring(colon + 1).trim() : "");
        discard(in);
        out.add(last);
    }

    /**
     * The LF ending the body's line ({@code what}) at the reader index, after a CR and within maxLine; -1 when the
     * line is not complete yet, or when it failed (then the failed part is in {@code out} and the rest discarded).
     */
    private int lineEnd(ByteBuf in, List<Object> out, String what) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, Math.min(in.writerIndex(), start + maxLine + 1), LF);
        if (lf < 0) {
            if (in.readableBytes() > maxLine) {
                failBody(in, out, what + " is longer than " + maxLine + " bytes");
            }
            return -1;
        }
        if (lf == start || in.getByte(lf - 1) != CR) {
            failBody(in, out, what + " does not end in CRLF");
            return -1;
        }
        return lf;
    }

    private void failBody(ByteBuf in, List<Object> out, String problem) {
        discard(in);
        out.add(failedPart(new IllegalArgumentException(problem)));
    }

    private void discard(ByteBuf in) {
        state = State.DISCARD;
        in.skipBytes(in.readableBytes());
    }

    private static LastHttpContent failedPart(IllegalArgumentException cause) {
        LastHttpContent part = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        part.setDecoderResult(DecoderResult.failure(cause));
        return part;
    }

    /** A stand-in for a head that failed; what it says about itself is never read (the intake records nulls). */
    private FullHttpRequest invalidHead(Exception cause) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                Unpooled.EMPTY_BUFFER);
        request.setDecoderResult(DecoderResult.failure(cause));
        onRequest.accept(HttpMethod.GET);
        return request;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
