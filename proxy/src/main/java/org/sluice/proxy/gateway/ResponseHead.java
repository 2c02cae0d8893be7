package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * An upstream's response head as {@link ResponseHeadParser} read it: its status and the framing it declares, and
 * its fields as offsets into a copy of its bytes ({@link HeadFields}). Immutable.
 */
final class ResponseHead extends HeadFields {
    private final HttpVersion version;
    private final HttpResponseStatus status;
    private final long contentLength;
    private final boolean chunked;

    ResponseHead(byte[] bytes, HttpVersion version, HttpResponseStatus status, int[] fields, int fieldCount,
                 long contentLength, boolean chunked) {
        super(bytes, fields, fieldCount);
        this.version = version;
        this.status = status;
        this.contentLength = contentLength;
        this.chunked = chunked;
    }

    HttpVersion version() {
        return version;
    }

    HttpResponseStatus status() {
        return status;
    }

    /** The declared body length; -1 when the head declares none (or the body is chunked). */
    long contentLength() {
        return contentLength;
    }

    boolean chunked() {
        return chunked;
    }
}
