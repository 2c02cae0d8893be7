package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;

/**
 * Checks a request head as bytes, before the decoder parses it, for the spellings the decoder would accept and
 * normalise, so that what Sluice decides on is exactly what was sent: a request line other than
 * {@code METHOD SP target SP HTTP/x.y} with single spaces, and obsolete line folding (a header line that starts
 * with a space or tab, which the decoder would glue onto the previous header). Bare CR or LF, control characters,
 * whitespace before a colon and invalid names are left to the decoder, which refuses them itself.
 */
final class RawHead {
    /**
     * @param waiting true when the head is not complete yet (and fits the limit): check again with more bytes
     * @param problem what is wrong, or null
     */
    record Check(boolean waiting, String problem) {
        static final Check WAITING = new Check(true, null);
        static final Check OK = new Check(false, null);
    }

    private RawHead() {
    }

    /** Looks at the readable bytes of {@code in} (not moved) from the start of a head, up to {@code maxHead}. */
    static Check check(ByteBuf in, int maxHead) {
        int start = in.readerIndex();
        int end = start + Math.min(in.readableBytes(), maxHead);
        int p = start;
        // The decoder skips empty lines (and other control bytes) before a request line; so does this check.
        while (p < end && (in.getByte(p) == '\r' || in.getByte(p) == '\n')) {
            p++;
        }
        int lineEnd = indexOfLf(in, p, end);
        if (lineEnd < 0) {
            return in.readableBytes() >= maxHead ? Check.OK : Check.WAITING;
        }
        String problem = requestLine(in, p, lineEnd);
        if (problem != null) {
            return new Check(false, problem);
        }
        p = lineEnd + 1;
        while (true) {
            int next = indexOfLf(in, p, end);
            if (next < 0) {
                // Not complete within the limit: the decoder refuses it as too large; else wait for more.
                return in.readableBytes() >= maxHead ? Check.OK : Check.WAITING;
            }
            if (next == p || (next == p + 1 && in.getByte(p) == '\r')) {
                return Check.OK; // the empty line that ends the head
            }
            byte first = in.getByte(p);
            if (first == ' ' || first == '\t') {
                return new Check(false, "a header line starts with whitespace (obsolete line folding); send each "
                        + "header on one line");
            }
            p = next + 1;
        }
    }

    /** METHOD SP target SP HTTP/d.d, exactly one space each; null when it is, else why not. */
    private static String requestLine(ByteBuf in, int from, int lf) {
        int end = lf > from && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        int spaces = 0;
        for (int i = from; i < end; i++) {
            byte b = in.getByte(i);
            if (b == '\t' || b == 0x0b || b == 0x0c) {
                return "the request line contains a tab or other whitespace; separate method, target and version "
                        + "with single spaces";
            }
            if (b == ' ') {
                if (i == from || i == end - 1 || in.getByte(i - 1) == ' ') {
                    return "the request line has extra spaces; separate method, target and version with single "
                            + "spaces";
                }
                spaces++;
            }
        }
        if (spaces != 2) {
            return "the request line must be METHOD SP target SP HTTP/1.1 (it has " + (spaces + 1) + " parts)";
        }
        int version = in.indexOf(end - 1, from, (byte) ' ') + 1;
        if (end - version < 5 || in.getByte(version) != 'H' || in.getByte(version + 1) != 'T'
                || in.getByte(version + 2) != 'T' || in.getByte(version + 3) != 'P' || in.getByte(version + 4) != '/') {
            return "the request line must end in HTTP/1.1 or HTTP/1.0, in upper case";
        }
        return null;
    }

    private static int indexOfLf(ByteBuf in, int from, int end) {
        return from >= end ? -1 : in.indexOf(from, end, (byte) '\n');
    }
}
