package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * A request head as {@link RequestHeadParser} read it: a copy of its bytes and offsets into them, one int per
 * boundary, no object per field ({@link HeadFields}). Immutable; the header edits a request goes through live in
 * {@link IndexedHeaders}.
 */
final class RequestHead extends HeadFields {
    private final HttpMethod method;
    private final int targetStart;
    private final int targetEnd;
    private final HttpVersion version;
    private final long contentLength;
    private final boolean chunked;

    RequestHead(byte[] bytes, HttpMethod method, int targetStart, int targetEnd, HttpVersion version, int[] fields,
                int fieldCount, long contentLength, boolean chunked) {
        super(bytes, fields, fieldCount);
        this.method = method;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.version = version;
        this.contentLength = contentLength;
        this.chunked = chunked;
    }

    HttpMethod method() {
        return method;
    }

    HttpVersion version() {
        return version;
    }

    /** The request target as sent, one char per byte (the parser admits only visible ASCII there). */
    String target() {
        return new String(bytes, targetStart, targetEnd - targetStart, StandardCharsets.US_ASCII);
    }

    /** The declared body length; -1 when the head declares none (or the body is chunked). */
    long contentLength() {
        return contentLength;
    }

    boolean chunked() {
        return chunked;
    }
}
