package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Frames one message body, for the request decoder and the response decoder alike: by a length, by chunks, or
 * (responses only) until the connection ends. Body parts are slices of the received buffers, never copies. Chunk
 * framing is strict: hex sizes only (leading zeros allowed), extensions of visible characters, CRLF after every
 * chunk's data and after every line. One body at a time; set up again for each message.
 */
final class BodyFramer {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    /** Digits of a chunk size beyond leading zeros: more could not fit an int. */
    private static final int MAX_SIZE_DIGITS = 7;
    /** What {@link #lineEnd} returns for a line not complete yet, and for one that failed. */
    private static final int WAITING = -1;
    private static final int FAILED = -2;

    /** What becomes of trailer fields after the last chunk. */
    enum Trailers {
        /** The first one ends the body in a last part that carries it, and the message's framing stops there. */
        HAND_ON,
        /** They are read (within the limit) and dropped; the body ends with the empty line after them. */
        DROP
    }

    /** Where a body stands after {@link #decode}. */
    enum Progress {
        /** More of the body is to come. */
        MORE,
        /** The last part is out; the next message may follow. */
        DONE,
        /** A failed part (or one that carries trailers) is out; nothing after it on the connection is framed. */
        STOP
    }

    private enum State { FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE }

    private final int maxLine;
    private final int maxTrailerBytes;
    private final int maxPart;
    private final Trailers trailers;
    private State state;
    /** Body bytes left of the fixed-length body or of the current chunk. */
    private long remaining;
    private int trailerBytes;

    /**
     * @param maxLine         the longest chunk size line or trailer line, in bytes
     * @param maxTrailerBytes the most bytes of trailer lines ({@link Trailers#DROP})
     * @param maxPart         the largest body part passed on at once
     */
    BodyFramer(int maxLine, int maxTrailerBytes, int maxPart, Trailers trailers) {
        this.maxLine = maxLine;
        this.maxTrailerBytes = maxTrailerBytes;
        this.maxPart = maxPart;
        this.trailers = trailers;
    }

    /** The next body has {@code length} bytes, more than none. */
    void fixed(long length) {
        remaining = length;
        state = State.FIXED;
    }

    void chunked() {
        trailerBytes = 0;
        state = State.CHUNK_SIZE;
    }

    /** The next body ends where the connection does: its decoder ends it when the connection closes. */
    void untilClose() {
        state = State.UNTIL_CLOSE;
    }

    /** True when the body runs until the connection ends, and so ends with it. */
    boolean endsWithConnection() {
        return state == State.UNTIL_CLOSE;
    }

    /** Takes what it can of the body from {@code in}'s readable bytes; parts go to {@code out}. */
    Progress decode(ByteBuf in, List<Object> out) {
        return switch (state) {
            case FIXED -> fixed(in, out);
            case CHUNK_SIZE -> chunkSize(in, out);
            case CHUNK_DATA -> chunkData(in, out);
            case CHUNK_END -> chunkEnd(in, out);
            case TRAILERS -> trailers(in, out);
            case UNTIL_CLOSE -> untilClose(in, out);
        };
    }

    private Progress fixed(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(remaining, in.readableBytes()), maxPart);
        if (n == 0) {
            return Progress.MORE;
        }
        ByteBuf part = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining == 0) {
            out.add(new DefaultLastHttpContent(part));
            return Progress.DONE;
        }
        out.add(new DefaultHttpContent(part));
        return Progress.MORE;
    }

    private Progress untilClose(ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), maxPart);
        if (n > 0) {
            out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        }
        return Progress.MORE;
    }

    /** chunk-size [ ";" extensions ] CRLF */
    private Progress chunkSize(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = lineEnd(in, out, "a chunk size line");
        if (lf < 0) {
            return lf == FAILED ? Progress.STOP : Progress.MORE;
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
            return fail(out, "a chunk size is not a hexadecimal number of at most " + MAX_SIZE_DIGITS
                    + " digits, optionally followed by ';' and extensions");
        }
        in.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return Progress.MORE;
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

    private Progress chunkData(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(remaining, in.readableBytes()), maxPart);
        if (n == 0) {
            return Progress.MORE;
        }
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining == 0) {
            state = State.CHUNK_END;
        }
        return Progress.MORE;
    }

    private Progress chunkEnd(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        int at = in.readerIndex();
        if (readable == 0) {
            return Progress.MORE;
        }
        if (in.getByte(at) != CR || (readable > 1 && in.getByte(at + 1) != LF)) {
            return fail(out, "a chunk's data is not followed by CRLF (the chunk is longer than its size says)");
        }
        if (readable > 1) {
            in.skipBytes(2);
            state = State.CHUNK_SIZE;
        }
        return Progress.MORE;
    }

    /** After the last chunk: the empty line, or trailer fields. */
    private Progress trailers(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = lineEnd(in, out, "a line after the last chunk");
        if (lf < 0) {
            return lf == FAILED ? Progress.STOP : Progress.MORE;
        }
        if (lf == start + 1) {
            in.skipBytes(2);
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            return Progress.DONE;
        }
        if (trailers == Trailers.DROP) {
            trailerBytes += lf + 1 - start;
            if (trailerBytes > maxTrailerBytes) {
                return fail(out, "the lines after the last chunk are more than " + maxTrailerBytes + " bytes");
            }
            in.readerIndex(lf + 1);
            return Progress.MORE;
        }
        // A trailer field: nothing after it is decided on; the request's intake refuses it.
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER,
                DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
        String line = in.toString(start, lf - 1 - start, StandardCharsets.ISO_8859_1);
        int colon = line.indexOf(':');
        last.trailingHeaders().add(colon > 0 ? line.substring(0, colon) : line, colon > 0
                ? line.substring(colon + 1).trim() : "");
        out.add(last);
        return Progress.STOP;
    }

    /**
     * The LF ending the body's line ({@code what}) at the reader index, after a CR and within maxLine; WAITING when
     * the line is not complete yet, FAILED when it failed (then the failed part is in {@code out}).
     */
    private int lineEnd(ByteBuf in, List<Object> out, String what) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, Math.min(in.writerIndex(), start + maxLine + 1), LF);
        if (lf < 0) {
            if (in.readableBytes() > maxLine) {
                fail(out, what + " is longer than " + maxLine + " bytes");
                return FAILED;
            }
            return WAITING;
        }
        if (lf == start || in.getByte(lf - 1) != CR) {
            fail(out, what + " does not end in CRLF");
            return FAILED;
        }
        return lf;
    }

    private static Progress fail(List<Object> out, String problem) {
        out.add(failedPart(problem));
        return Progress.STOP;
    }

    /** An empty last part whose decoder result is the failure {@code problem}: what a decoder passes on for it. */
    static LastHttpContent failedPart(String problem) {
        LastHttpContent part = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        part.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
        return part;
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
