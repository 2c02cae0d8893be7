package org.sluice.proxy.gateway;

import io.netty.util.AsciiString;

/**
 * What the head parsers and the header code read alike: token characters (RFC 9110 5.6.2), digits, names spelt in
 * any case, comma-separated lists (Connection, Transfer-Encoding), a Content-Length, and bytes as text for a message.
 */
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

    /** True when {@code bytes[from, to)} spell {@code text}: byte for byte, or with {@code ignoreCase} in any case. */
    static boolean spells(byte[] bytes, int from, int to, CharSequence text, boolean ignoreCase) {
        if (to - from != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            int c = bytes[from + i] & 0xff;
            int t = text.charAt(i);
            if (c != t && (!ignoreCase || lower(c) != lower(t))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    /**
     * True when the comma-separated {@code list} has {@code token} as an element (the space around elements
     * ignored), compared exactly or with {@code ignoreCase} in any ASCII case; allocates nothing.
     */
    static boolean listHas(CharSequence list, CharSequence token, boolean ignoreCase) {
        for (int start = 0, end; start < list.length(); start = end + 1) {
            end = tokenEnd(list, start);
            if (tokenIs(list, start, end, token, ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    /** Where the list element starting at {@code start} ends: at the next comma or the end of the list. */
    static int tokenEnd(CharSequence list, int start) {
        int end = start;
        while (end < list.length() && list.charAt(end) != ',') {
            end++;
        }
        return end;
    }

    /** True when the element {@code list[start, end)}, without the space around it, is {@code token}. */
    static boolean tokenIs(CharSequence list, int start, int end, CharSequence token, boolean ignoreCase) {
        int a = start;
        int b = end;
        while (a < b && list.charAt(a) <= ' ') {
            a++;
        }
        while (b > a && list.charAt(b - 1) <= ' ') {
            b--;
        }
        return b - a == token.length() && AsciiString.regionMatches(list, ignoreCase, a, token, 0, b - a);
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
