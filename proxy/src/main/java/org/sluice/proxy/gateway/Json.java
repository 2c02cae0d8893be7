package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;

/** JSON string quoting for the error body, written straight into it as UTF-8; reasons may quote what a client sent. */
final class Json {
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private Json() {
    }

    /**
     * Writes {@code s} as a quoted JSON string: {@code "} and {@code \} and CR, LF, tab by their short escapes,
     * other control characters and DEL as {@code \}{@code u00XX}, the rest as UTF-8, a lone surrogate as '?' (as
     * {@code String.getBytes(UTF_8)} would).
     */
    static void writeQuoted(ByteBuf out, String s) {
        out.writeByte('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.writeByte('\\').writeByte('"');
                case '\\' -> out.writeByte('\\').writeByte('\\');
                case '\n' -> out.writeByte('\\').writeByte('n');
                case '\r' -> out.writeByte('\\').writeByte('r');
                case '\t' -> out.writeByte('\\').writeByte('t');
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.writeByte('\\').writeByte('u').writeByte('0').writeByte('0')
                                .writeByte(HEX[(c >> 4) & 0xF]).writeByte(HEX[c & 0xF]);
                    } else if (c < 0x80) {
                        out.writeByte(c);
                    } else if (c < 0x800) {
                        out.writeByte(0xc0 | c >> 6).writeByte(0x80 | (c & 0x3f));
                    } else if (!Character.isSurrogate(c)) {
                        out.writeByte(0xe0 | c >> 12).writeByte(0x80 | (c >> 6 & 0x3f)).writeByte(0x80 | (c & 0x3f));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        int cp = Character.toCodePoint(c, s.charAt(++i));
                        out.writeByte(0xf0 | cp >> 18).writeByte(0x80 | (cp >> 12 & 0x3f))
                                .writeByte(0x80 | (cp >> 6 & 0x3f)).writeByte(0x80 | (cp & 0x3f));
                    } else {
                        out.writeByte('?');
                    }
                }
            }
        }
        out.writeByte('"');
    }
}
