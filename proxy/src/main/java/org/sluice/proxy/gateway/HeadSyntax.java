package org.sluice.proxy.gateway;

/** The character classes of HTTP/1.1 heads (RFC 9110 5.6.2), over a head's bytes. */
final class HeadSyntax {
    private static final boolean[] TCHAR = new boolean[256];

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

    /** {@code bytes[from, to)} as text for a message: anything but visible ASCII and space shown as '?'. */
    static String printable(byte[] bytes, int from, int to) {
        StringBuilder text = new StringBuilder(Math.max(0, to - from));
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            text.append(b >= ' ' && b < 0x7f ? (char) b : '?');
        }
        return text.toString();
    }
}
