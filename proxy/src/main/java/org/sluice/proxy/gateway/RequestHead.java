package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * A request head as {@link RequestHeadParser} read it: a copy of its bytes and offsets into them, one int per
 * boundary, no object per field. Field values are stored without their surrounding whitespace. Immutable; the
 * header edits a request goes through live in {@link IndexedHeaders}.
 */
final class RequestHead {
    /** Ints per field in {@link #fields}: name start, name end, value start, value end. */
    static final int STRIDE = 4;

    private final byte[] bytes;
    private final HttpMethod method;
    private final int targetStart;
    private final int targetEnd;
    private final HttpVersion version;
    private final int[] fields;
    private final int fieldCount;
    private final long contentLength;
    private final boolean chunked;

    RequestHead(byte[] bytes, HttpMethod method, int targetStart, int targetEnd, HttpVersion version, int[] fields,
                int fieldCount, long contentLength, boolean chunked) {
        this.bytes = bytes;
        this.method = method;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.version = version;
        this.fields = fields;
        this.fieldCount = fieldCount;
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

    int fieldCount() {
        return fieldCount;
    }

    /** The declared body length; -1 when the head declares none (or the body is chunked). */
    long contentLength() {
        return contentLength;
    }

    boolean chunked() {
        return chunked;
    }

    /** The i-th field's name as sent, a view of the head's bytes. */
    AsciiString name(int i) {
        int at = i * STRIDE;
        return new AsciiString(bytes, fields[at], fields[at + 1] - fields[at], false);
    }

    /** The i-th field's value without surrounding whitespace, a view of the head's bytes. */
    AsciiString value(int i) {
        int at = i * STRIDE;
        return new AsciiString(bytes, fields[at + 2], fields[at + 3] - fields[at + 2], false);
    }

    int nameLength(int i) {
        return fields[i * STRIDE + 1] - fields[i * STRIDE];
    }

    int valueLength(int i) {
        return fields[i * STRIDE + 3] - fields[i * STRIDE + 2];
    }

    /** True when the i-th field's name is {@code name}, compared as HTTP compares names (ASCII, any case). */
    boolean nameIs(int i, CharSequence name) {
        int at = i * STRIDE;
        int start = fields[at];
        int length = fields[at + 1] - start;
        if (length != name.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (lower(bytes[start + k] & 0xff) != lower(name.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** The first field named {@code name}, or -1. */
    int indexOf(CharSequence name) {
        for (int i = 0; i < fieldCount; i++) {
            if (nameIs(i, name)) {
                return i;
            }
        }
        return -1;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
