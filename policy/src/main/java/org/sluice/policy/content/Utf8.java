package org.sluice.policy.content;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Strict UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF) and the text tests built on it. */
final class Utf8 {
    private Utf8() {
    }

    /** Whether the bytes are well-formed UTF-8. */
    static boolean isValid(byte[] b, int off, int len) {
        return validate(b, off, len, false);
    }

    /**
     * Whether the bytes are UTF-8 text: well-formed and free of control characters other than tab, line feed and
     * carriage return (a NUL or an escape byte is a sign of a binary format, not of text).
     */
    static boolean isText(byte[] b, int off, int len) {
        return validate(b, off, len, true);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private static boolean validate(byte[] b, int off, int len, boolean textOnly) {
        int i = off;
        int end = off + len;
        while (i < end) {
            // ASCII eight bytes at a time, when control characters need no look
            if (!textOnly && i + 8 <= end && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            int c = b[i];
            if (c >= 0) {
                if (textOnly && c < 0x20 && c != '\t' && c != '\n' && c != '\r' || textOnly && c == 0x7f) {
                    return false;
                }
                i++;
                continue;
            }
            c &= 0xff;
            int need;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + need >= end) {
                return false;
            }
            int cp = c & (0x3f >> need);
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xff;
                if ((cc & 0xc0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (cc & 0x3f);
            }
            if (cp < min || cp > 0x10ffff || cp >= 0xd800 && cp <= 0xdfff) {
                return false;
            }
            i += need + 1;
        }
        return true;
    }
}
