package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Sluice's strict HTTP/1.1 request head parser: one pass over the bytes of a head validates all of it and
 * records where each part is ({@link RequestHead}). What it admits is exactly {@code METHOD SP target SP
 * HTTP/1.x CRLF}, then fields {@code name ":" OWS value OWS CRLF}, then CRLF, where the method and the names are
 * tokens, the target is visible ASCII and values are visible characters, spaces and tabs (RFC 9112 2-5, 9110 5).
 * Everything a lenient parser would repair is refused instead, so that what Sluice decides on is what was sent:
 * bare CR or LF, several spaces or tabs in the request line, whitespace before a colon, obsolete line folding,
 * control characters. So is ambiguous framing: several Content-Length fields or a list in one, a Content-Length
 * that is not a plain number, Transfer-Encoding other than exactly one {@code chunked}, or both framings at once.
 *
 * <p>Limits count as Netty's decoder counted them, so that {@code policy explain} predicts the gateway: the request
 * line without its CRLF against {@code maxLine} (empty lines before it are skipped, not counted), the field lines
 * without their CRLF against {@code maxFields}.
 */
final class RequestHeadParser {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';
    private static final byte[] CHUNKED = {'c', 'h', 'u', 'n', 'k', 'e', 'd'};
    private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};
    private static final int INITIAL_FIELDS = 16;

    /**
     * What a parse gave: a head and its length in bytes (with the empty lines before it), a failure (the head is
     * refused; nothing after it on the connection can be framed), or neither (the head is not complete yet).
     */
    record Result(RequestHead head, int length, Exception failure) {
        static final Result WAITING = new Result(null, 0, null);

        boolean waiting() {
            return head == null && failure == null;
        }
    }

    private final int maxLine;
    private final int maxFields;
    /**
     * Bytes looked at by the last parse that waited for more (0 after one that did not): without a new LF among
     * the bytes after them, the head cannot have ended, so a head trickling in is not parsed again per byte.
     */
    private int scanned;
    /** Whether the last parse that waited had the whole request line. */
    private boolean lineSeen;
    /** Field offsets while a head is parsed; the head keeps a copy of just its own. */
    private int[] scratch = new int[INITIAL_FIELDS * RequestHead.STRIDE];

    RequestHeadParser(int maxLine, int maxFields) {
        this.maxLine = maxLine;
        this.maxFields = maxFields;
    }

    /** Parses the head at the start of {@code in}'s readable bytes; does not move the reader index. */
    Result parse(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int readable = end - start;
        if (scanned > 0 && scanned < readable && (lineSeen || readable <= maxLine)
                && readable <= maxLine + maxFields + 2 && in.indexOf(start + scanned, end, LF) < 0) {
            return Result.WAITING;
        }
        // The head is read from a copy: a byte[] is checked far faster than a ByteBuf byte by byte. When the
        // head is complete the copy is exactly its bytes, which the head keeps; requests pipelined behind it are
        // not copied. Otherwise all that arrived is copied, to be refused or waited on as it stands: a new copy
        // each time, so that no connection keeps an array the size of the limits.
        int headEnd = headEnd(in, start, end);
        byte[] b = new byte[headEnd > 0 ? headEnd - start : readable];
        in.getBytes(start, b);
        Result result = parse(b);
        scanned = result.waiting() ? readable : 0;
        lineSeen = result.waiting() && in.indexOf(start, end, LF) >= 0;
        return result;
    }

    /**
     * Where the head at {@code start} ends: just after the first CRLF that follows a LF, empty lines before the
     * request line not counted; -1 when none has arrived. The parser finds the same end, or refuses before it.
     */
    private static int headEnd(ByteBuf in, int start, int end) {
        int p = start;
        while (p < end && (in.getByte(p) == CR || in.getByte(p) == LF)) {
            p++;
        }
        for (int lf = in.indexOf(p, end, LF); lf >= 0 && lf + 2 < end; lf = in.indexOf(lf + 1, end, LF)) {
            if (in.getByte(lf + 1) == CR && in.getByte(lf + 2) == LF) {
                return lf + 3;
            }
        }
        return -1;
    }

    /** Parses the head at the start of {@code b}, a copy of its own: a head that parses to b's end keeps b. */
    private Result parse(byte[] b) {
        int end = b.length;
        int p = 0;
        while (p < end && (b[p] == CR || b[p] == LF)) {
            p++; // empty lines before a request line are skipped (RFC 9112 2.2), and not counted
        }
        int lineStart = p;
        // ---- request line: METHOD SP target SP HTTP/1.x CRLF
        int lf = indexOf(b, p, Math.min(end, lineStart + maxLine + 2), LF);
        if (lf < 0) {
            return end - lineStart > maxLine + 1 ? tooLongLine() : Result.WAITING;
        }
        if (lf == lineStart || b[lf - 1] != CR) {
            return bad("the request line ends in a bare LF; end every line with CRLF");
        }
        int lineEnd = lf - 1;
        int methodEnd = lineStart;
        while (methodEnd < lineEnd && HeadSyntax.isTchar(b[methodEnd])) {
            methodEnd++;
        }
        if (methodEnd == lineStart || methodEnd == lineEnd || b[methodEnd] != SP) {
            return bad(requestLineProblem(b, lineStart, lineEnd, methodEnd == lineStart));
        }
        int targetStart = methodEnd + 1;
        int targetEnd = targetStart;
        while (targetEnd < lineEnd && isTargetByte(b[targetEnd])) {
            targetEnd++;
        }
        if (targetEnd == targetStart || targetEnd == lineEnd || b[targetEnd] != SP) {
            return bad(requestLineProblem(b, lineStart, lineEnd, false));
        }
        HttpVersion version = version(b, targetEnd + 1, lineEnd);
        if (version == null) {
            return bad(versionProblem(b, lineStart, targetEnd + 1, lineEnd));
        }
        // ---- fields
        int[] fields = scratch;
        int count = 0;
        int fieldBytes = 0;
        long contentLength = -1;
        int lengths = 0;
        int codings = 0;
        boolean chunked = false;
        p = lf + 1;
        while (true) {
            lf = p < end ? indexOf(b, p, end, LF) : -1;
            if (lf < 0) {
                return fieldBytes + (end - p) > maxFields + 1 ? tooLarge() : Result.WAITING; // + a CR to come
            }
            if (lf == p || b[lf - 1] != CR) {
                return bad("a header line ends in a bare LF; end every line with CRLF");
            }
            int eol = lf - 1;
            // The lines so far without their CRLF, as Netty's decoder counts (and policy explain with it).
            if (fieldBytes + (eol - p) > maxFields) {
                return tooLarge();
            }
            fieldBytes += eol - p;
            if (eol == p) {
                break; // the empty line: the head is complete
            }
            byte first = b[p];
            if (first == SP || first == HTAB) {
                return bad("a header line starts with whitespace (obsolete line folding); send each header on one "
                        + "line");
            }
            int nameEnd = p;
            while (nameEnd < eol && HeadSyntax.isTchar(b[nameEnd])) {
                nameEnd++;
            }
            if (nameEnd == eol || b[nameEnd] != ':' || nameEnd == p) {
                return bad(nameProblem(b, p, nameEnd, eol));
            }
            int valueStart = nameEnd + 1;
            while (valueStart < eol && isOws(b[valueStart])) {
                valueStart++;
            }
            int valueEnd = eol;
            while (valueEnd > valueStart && isOws(b[valueEnd - 1])) {
                valueEnd--;
            }
            for (int i = valueStart; i < valueEnd; i++) {
                byte c = b[i];
                if ((c >= 0 && c < SP && c != HTAB) || c == 0x7f) {
                    return bad(c == CR ? "a header value contains a bare CR; end every line with CRLF"
                            : "a header value contains a control character (0x" + Integer.toHexString(c) + ")");
                }
            }
            if (count * RequestHead.STRIDE == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
                scratch = fields;
            }
            int at = count * RequestHead.STRIDE;
            fields[at] = p;
            fields[at + 1] = nameEnd;
            fields[at + 2] = valueStart;
            fields[at + 3] = valueEnd;
            count++;
            if (HeadSyntax.spells(b, p, nameEnd, "content-length", true)) {
                lengths++;
                contentLength = HeadSyntax.contentLength(b, valueStart, valueEnd);
                if (contentLength < 0) {
                    return bad("Content-Length '" + HeadSyntax.printable(b, valueStart, valueEnd)
                            + "' is not a number of bytes; send exactly one Content-Length with the body's size in "
                            + "digits");
                }
            } else if (HeadSyntax.spells(b, p, nameEnd, "transfer-encoding", true)) {
                codings++;
                chunked = valueEnd - valueStart == CHUNKED.length && HeadSyntax.bytesAre(b, valueStart, CHUNKED);
                if (!chunked || codings > 1) {
                    return bad("Transfer-Encoding must be exactly one 'chunked' (got '"
                            + HeadSyntax.printable(b, valueStart, valueEnd) + "'" + (codings > 1 ? " and another" : "")
                            + "); send the body chunked or with Content-Length");
                }
            }
            p = lf + 1;
        }
        if (lengths > 1) {
            return bad("the request carries " + lengths + " Content-Length headers; send exactly one");
        }
        if (lengths == 1 && chunked) {
            return bad("the request carries both Content-Length and Transfer-Encoding: chunked; send one of them");
        }
        int length = lf + 1;
        byte[] bytes = length == b.length ? b : Arrays.copyOf(b, length);
        HttpMethod method = method(bytes, lineStart, methodEnd);
        return new Result(new RequestHead(bytes, method, targetStart, targetEnd, version,
                Arrays.copyOf(fields, count * RequestHead.STRIDE), count, chunked ? -1 : contentLength, chunked),
                length, null);
    }

    private static int indexOf(byte[] b, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private Result tooLongLine() {
        return new Result(null, 0, new TooLongHttpLineException("An HTTP line is larger than " + maxLine + " bytes."));
    }

    private Result tooLarge() {
        return new Result(null, 0, new TooLongHttpHeaderException("HTTP header is larger than " + maxFields
                + " bytes."));
    }

    private static Result bad(String problem) {
        return new Result(null, 0, new IllegalArgumentException(problem));
    }

    private static boolean isTargetByte(byte b) {
        return b > SP && b != 0x7f; // visible ASCII; bytes above 0x7f are negative
    }

    private static boolean isOws(byte b) {
        return b == SP || b == HTAB;
    }

    private static HttpVersion version(byte[] bytes, int from, int to) {
        if (to - from != 8 || !HeadSyntax.bytesAre(bytes, from, HTTP_SLASH) || bytes[from + 5] != '1'
                || bytes[from + 6] != '.') {
            return null;
        }
        byte minor = bytes[from + 7];
        return minor == '1' ? HttpVersion.HTTP_1_1 : minor == '0' ? HttpVersion.HTTP_1_0 : null;
    }

    private static String versionProblem(byte[] bytes, int lineStart, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == SP || b == HTAB || b == 0x0b || b == 0x0c) {
                return requestLineProblem(bytes, lineStart, to, false);
            }
        }
        boolean looksLikeVersion = to - from == 8 && HeadSyntax.bytesAre(bytes, from, HTTP_SLASH)
                && HeadSyntax.isDigit(bytes[from + 5]) && bytes[from + 6] == '.' && HeadSyntax.isDigit(bytes[from + 7]);
        if (looksLikeVersion) {
            return "HTTP version " + HeadSyntax.printable(bytes, from, to) + " is not supported; send HTTP/1.1";
        }
        return "the request line must be METHOD SP target SP HTTP/1.1, ending in HTTP/1.1 or HTTP/1.0 in upper case";
    }

    /** Why a request line that is not METHOD SP target SP version is not, in the words the old check used. */
    private static String requestLineProblem(byte[] bytes, int from, int to, boolean noMethod) {
        int spaces = 0;
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == HTAB || b == 0x0b || b == 0x0c) {
                return "the request line contains a tab or other whitespace; separate method, target and version "
                        + "with single spaces";
            }
            if (b == SP) {
                if (i == from || i == to - 1 || bytes[i - 1] == SP) {
                    return "the request line has extra spaces; separate method, target and version with single "
                            + "spaces";
                }
                spaces++;
            }
        }
        if (spaces != 2) {
            return "the request line must be METHOD SP target SP HTTP/1.1 (it has " + (spaces + 1) + " parts)";
        }
        if (noMethod) {
            return "the request method is not a token (letters, digits and !#$%&'*+-.^_`|~)";
        }
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == SP) {
                break;
            }
            if (!HeadSyntax.isTchar(b)) {
                return "the request method is not a token (letters, digits and !#$%&'*+-.^_`|~)";
            }
        }
        return "the request target contains a byte that is not visible ASCII (a control character, DEL or a byte "
                + "above 0x7f); percent-encode it";
    }

    private static String nameProblem(byte[] bytes, int from, int nameEnd, int eol) {
        if (nameEnd == eol) {
            return "a header line has no colon";
        }
        byte b = bytes[nameEnd];
        if (b == ':') {
            return "a header line has an empty name";
        }
        if (b == SP || b == HTAB) {
            return "a header name is followed by whitespace before its colon (or contains it); remove it";
        }
        return "a header name contains a character that is not allowed in a token (0x"
                + Integer.toHexString(b & 0xff) + ")";
    }

    /** The standard methods as constants, without a String; any other token as a method of its own. */
    private static HttpMethod method(byte[] bytes, int from, int to) {
        int length = to - from;
        HttpMethod known = switch (bytes[from]) {
            case 'G' -> HttpMethod.GET;
            case 'P' -> length == 4 ? HttpMethod.POST : length == 3 ? HttpMethod.PUT : HttpMethod.PATCH;
            case 'H' -> HttpMethod.HEAD;
            case 'D' -> HttpMethod.DELETE;
            case 'O' -> HttpMethod.OPTIONS;
            case 'C' -> HttpMethod.CONNECT;
            case 'T' -> HttpMethod.TRACE;
            default -> null;
        };
        if (known != null && HeadSyntax.spells(bytes, from, to, known.name(), false)) {
            return known;
        }
        return HttpMethod.valueOf(new String(bytes, from, length, StandardCharsets.US_ASCII));
    }
}
