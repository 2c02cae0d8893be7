package org.sluice.proxy.gateway;

/** What the request and the response head parsers read alike, over a head's bytes: token characters (RFC 9110 5.6.2), digits, a
 * Content-Length, and bytes as text for a message. */
final class HeadSyntax {
    private static final boolean[] TCHAR = new boolean[256];
    /** A Content-Length of more digits than this cannot be a size any limit allows (and could overflow a long). */
    private static final int MAX_LENGTH_DIGITS = 18;

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private HeadSyntax() {
    }

    /** A token character: what methods, field names and codings are made of. */
    static boolean isTchar(byte b) {
        return TCHAR[b & 0xff];
    }

    /** True when {@code bytes[from, to)} spells {@code lowerName} in any case. */
    static boolean spellsIgnoringCase(byte[] bytes, int from, int to, String lowerName) {
        if (to - from != lowerName.length()) {
            return false;
        }
        for (int i = 0; i < lowerName.length(); i++) {
            int c = bytes[from + i];
            if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != lowerName.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** A Content-Length: a plain decimal number (leading zeros allowed), or -1. */
    static long contentLength(byte[] bytes, int from, int to) {
        if (from == to || to - from > MAX_LENGTH_DIGITS) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (!isDigit(b)) {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    /** True when {@code bytes} hold {@code expected} at {@code from} (the caller knows they are long enough). */
    static boolean bytesAre(byte[] bytes, int from, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (bytes[from + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code bytes[from, to)} as text for a message, at most 40 of them (then "..."): anything but visible ASCII and
     * space shown as '?'.
     */
    static String printable(byte[] bytes, int from, int to) {
        int length = Math.min(to - from, 40);
        StringBuilder text = new StringBuilder(Math.max(0, length) + 3);
        for (int i = from; i < from + length; i++) {
            byte b = bytes[i];
            text.append(b >= ' ' && b < 0x7f ? (char) b : '?');
        }
        return to - from > length ? text.append("...").toString() : text.toString();
    }
}
