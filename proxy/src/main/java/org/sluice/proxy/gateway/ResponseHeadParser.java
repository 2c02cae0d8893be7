package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads an upstream's response heads: only what framing and the limits need is interpreted (the status, the
 * version, Content-Length, Transfer-Encoding), the fields are recorded as offsets and relayed as their bytes. As
 * strict as the request side where a lenient reading could frame the body differently from the next hop: lines end
 * in CRLF; {@code HTTP/1.x SP 3DIGIT [SP reason]}; token names with the colon right after them; no obsolete line
 * folding (RFC 9112 5.2 lets a proxy refuse it); no control characters in values; at most one Content-Length, of
 * digits; Transfer-Encoding only with {@code chunked} last and never beside Content-Length. A refused head becomes
 * a 502 for the client, and its connection is not reused. Failure messages name what was wrong, never the
 * upstream's bytes: they reach the client.
 */
final class ResponseHeadParser {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';
    private static final byte[] HTTP_1 = {'H', 'T', 'T', 'P', '/', '1', '.'};
    /** "HTTP/1.1 200": where the status code ends. */
    private static final int CODE_END = 12;
    private static final int INITIAL_FIELDS = 16;

    /** Why a response head was refused; the message says what was wrong, for the 502's reason. */
    static final class Malformed extends Exception {
        Malformed(String problem) {
            super(problem, null, false, false);
        }
    }

    private final int maxLine;
    private final int maxFields;
    /** Bytes of the head's complete lines seen by the last call that waited for more. */
    private int scanned;
    private int fieldBytes;
    private int[] scratch = new int[INITIAL_FIELDS * HeadFields.STRIDE];

    /**
     * @param maxLine   the longest status line, in bytes without its CRLF
     * @param maxFields the most bytes of field lines, without their CRLFs
     */
    ResponseHeadParser(int maxLine, int maxFields) {
        this.maxLine = maxLine;
        this.maxFields = maxFields;
    }

    /**
     * The length of the head at {@code in}'s reader index through its empty line, or 0 while it is not complete.
     * A head trickling in is scanned once, not once per read.
     */
    int headLength(ByteBuf in) throws Malformed {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int p = start + scanned;
        while (true) {
            int lf = in.indexOf(p, end, LF);
            int line = (lf < 0 ? end : lf) - p;
            if (p == start) {
                if (line > maxLine + 1) {
                    throw new Malformed("the status line is longer than " + maxLine + " bytes");
                }
            } else if (lf >= 0 && line <= 1) {
                scanned = 0;
                fieldBytes = 0;
                return lf + 1 - start;
            } else if (fieldBytes + line > maxFields + 1) {
                throw new Malformed("the header lines are more than " + maxFields + " bytes");
            }
            if (lf < 0) {
                scanned = p - start;
                return 0;
            }
            if (p != start) {
                fieldBytes += line - 1;
            }
            p = lf + 1;
        }
    }

    /** Parses a whole head, {@code bytes} being exactly its bytes as {@link #headLength} measured them. */
    ResponseHead parse(byte[] bytes) throws Malformed {
        int eol = lineEnd(bytes, 0);
        if (eol < CODE_END || !HeadSyntax.bytesAre(bytes, 0, HTTP_1) || (bytes[7] != '0' && bytes[7] != '1')
                || bytes[8] != SP
                || !HeadSyntax.isDigit(bytes[9]) || !HeadSyntax.isDigit(bytes[10]) || !HeadSyntax.isDigit(bytes[11])
                || (eol > CODE_END && bytes[CODE_END] != SP)) {
            throw new Malformed("the status line is not HTTP/1.x, a space and a 3-digit status");
        }
        int code = (bytes[9] - '0') * 100 + (bytes[10] - '0') * 10 + (bytes[11] - '0');
        if (code < 100 || code > 599) {
            throw new Malformed("the status " + code + " is not between 100 and 599");
        }
        int reasonStart = Math.min(eol, CODE_END + 1);
        for (int i = reasonStart; i < eol; i++) {
            if (isControl(bytes[i])) {
                throw new Malformed("the status line's reason contains a control character");
            }
        }
        HttpVersion version = bytes[7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        HttpResponseStatus status = status(code, bytes, reasonStart, eol);

        int[] fields = scratch;
        int count = 0;
        long contentLength = -1;
        boolean chunked = false;
        boolean coded = false;
        int p = eol + 2;
        while ((eol = lineEnd(bytes, p)) > p) {
            if (bytes[p] == SP || bytes[p] == HTAB) {
                throw new Malformed("a header line starts with whitespace (obsolete line folding)");
            }
            int nameEnd = p;
            while (nameEnd < eol && HeadSyntax.isTchar(bytes[nameEnd])) {
                nameEnd++;
            }
            if (nameEnd == p || nameEnd == eol || bytes[nameEnd] != ':') {
                throw new Malformed("a header line is not a name of token characters, a colon and a value");
            }
            int valueStart = nameEnd + 1;
            while (valueStart < eol && (bytes[valueStart] == SP || bytes[valueStart] == HTAB)) {
                valueStart++;
            }
            int valueEnd = eol;
            while (valueEnd > valueStart && (bytes[valueEnd - 1] == SP || bytes[valueEnd - 1] == HTAB)) {
                valueEnd--;
            }
            for (int i = valueStart; i < valueEnd; i++) {
                if (isControl(bytes[i])) {
                    throw new Malformed("the value of " + HeadSyntax.printable(bytes, p, nameEnd)
                            + " contains a control character (0x" + Integer.toHexString(bytes[i] & 0xff) + ")");
                }
            }
            if (count * HeadFields.STRIDE == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
                scratch = fields;
            }
            int at = count++ * HeadFields.STRIDE;
            fields[at] = p;
            fields[at + 1] = nameEnd;
            fields[at + 2] = valueStart;
            fields[at + 3] = valueEnd;
            if (HeadSyntax.spells(bytes, p, nameEnd, "content-length", true)) {
                if (contentLength >= 0) {
                    throw new Malformed("the response carries more than one Content-Length");
                }
                contentLength = HeadSyntax.contentLength(bytes, valueStart, valueEnd);
                if (contentLength < 0) {
                    throw new Malformed("its Content-Length is not a number of bytes");
                }
            } else if (HeadSyntax.spells(bytes, p, nameEnd, "transfer-encoding", true)) {
                if (coded) {
                    throw new Malformed("the response carries more than one Transfer-Encoding line");
                }
                coded = true;
                chunked = endsWithChunked(bytes, valueStart, valueEnd);
                if (!chunked) {
                    throw new Malformed("its Transfer-Encoding does not end with chunked");
                }
            }
            p = eol + 2;
        }
        if (chunked && contentLength >= 0) {
            throw new Malformed("the response carries both Content-Length and Transfer-Encoding");
        }
        return new ResponseHead(bytes, version, status, Arrays.copyOf(fields, count * HeadFields.STRIDE), count,
                contentLength, chunked);
    }

    /** Where the line at {@code from} ends (its CR), which must be CRLF. */
    private static int lineEnd(byte[] bytes, int from) throws Malformed {
        int i = from;
        while (bytes[i] != LF) {
            i++;
        }
        if (i == from || bytes[i - 1] != CR) {
            throw new Malformed("a line of the head ends in a bare LF");
        }
        for (int k = from; k < i - 1; k++) {
            if (bytes[k] == CR) {
                throw new Malformed("a line of the head contains a bare CR");
            }
        }
        return i - 1;
    }

    /** The standard status object when the reason is the standard one (no allocation), else a new one. */
    private static HttpResponseStatus status(int code, byte[] bytes, int from, int to) {
        HttpResponseStatus standard = HttpResponseStatus.valueOf(code);
        String reason = standard.reasonPhrase();
        boolean same = reason.length() == to - from;
        for (int i = 0; same && i < reason.length(); i++) {
            same = reason.charAt(i) == bytes[from + i];
        }
        return same ? standard : new HttpResponseStatus(code, new String(bytes, from, to - from,
                StandardCharsets.ISO_8859_1));
    }

    /** True when the last coding of a Transfer-Encoding list is chunked (any case, spaces around it). */
    private static boolean endsWithChunked(byte[] bytes, int from, int to) {
        int start = to;
        while (start > from && bytes[start - 1] != ',') {
            start--;
        }
        while (start < to && (bytes[start] == SP || bytes[start] == HTAB)) {
            start++;
        }
        return HeadSyntax.spells(bytes, start, to, "chunked", true);
    }

    /** Control characters other than tab, and DEL; bytes above 0x7f (obs-text) are allowed. */
    private static boolean isControl(byte b) {
        return (b >= 0 && b < SP && b != HTAB) || b == 0x7f;
    }
}
