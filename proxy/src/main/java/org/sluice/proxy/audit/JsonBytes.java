package org.sluice.proxy.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable, growable byte buffer that JSON values are written into as UTF-8, with the audit line's escaping:
 * {@code "} and {@code \} and the control characters {@code \b \t \n \f \r} by their short escapes, the other
 * characters below U+0020 and lone surrogates as {@code \}{@code uXXXX} (upper-case hex), a surrogate pair as
 * its 4-byte UTF-8 sequence, everything else (DEL and U+2028 included) as plain UTF-8. That is byte for byte what
 * Jackson's UTF-8 generator wrote with {@code COMBINE_UNICODE_SURROGATES_IN_UTF8} before this class replaced it;
 * the lines are hashed into the chain, so the format may not drift (AuditLineEncoderEquivalenceProperties).
 * Not thread-safe; owned by the audit writer thread.
 */
final class JsonBytes {

    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] UPPER_HEX = ascii("0123456789ABCDEF");
    /** Per ASCII char: 0 written as is, -1 as a backslash-u escape, else the letter after the backslash. */
    private static final byte[] ESCAPES = new byte[128];
    /** Worst case bytes per char of a string: a backslash-u escape. */
    private static final int MAX_BYTES_PER_CHAR = 6;

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = -1;
        }
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
    }

    private byte[] buf;
    private int size;

    JsonBytes(int initialCapacity) {
        buf = new byte[initialCapacity];
    }

    /** The bytes of an ASCII constant (field names, punctuation). */
    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Appends bytes as they are (pre-encoded names and punctuation). */
    void raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    /** Appends bytes as they are. */
    void raw(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    /** Appends one byte as it is. */
    void raw(char c) {
        ensure(1);
        buf[size++] = (byte) c;
    }

    /** Appends {@code null}. */
    void nullValue() {
        raw(NULL);
    }

    /** Appends {@code true} or {@code false}. */
    void bool(boolean value) {
        raw(value ? TRUE : FALSE);
    }

    /** Appends a JSON string, or {@code null} for null. */
    void string(String s) {
        if (s == null) {
            nullValue();
            return;
        }
        int n = s.length();
        ensure(2 + MAX_BYTES_PER_CHAR * n); // no further bounds checks while writing
        byte[] b = buf;
        int at = size;
        b[at++] = '"';
        int i = 0;
        // The common case first: printable ASCII that needs no escape, one byte per char.
        for (char c; i < n && (c = s.charAt(i)) < 0x80 && ESCAPES[c] == 0; i++) {
            b[at++] = (byte) c;
        }
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                byte escape = ESCAPES[c];
                if (escape == 0) {
                    b[at++] = (byte) c;
                } else if (escape > 0) {
                    b[at++] = '\\';
                    b[at++] = escape;
                } else {
                    at = unicodeEscape(b, at, c);
                }
            } else if (c < 0x800) {
                b[at++] = (byte) (0xc0 | (c >> 6));
                b[at++] = (byte) (0x80 | (c & 0x3f));
            } else if (!Character.isSurrogate(c)) {
                b[at++] = (byte) (0xe0 | (c >> 12));
                b[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                b[at++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[at++] = (byte) (0xf0 | (cp >> 18));
                b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                b[at++] = (byte) (0x80 | (cp & 0x3f));
            } else {
                at = unicodeEscape(b, at, c); // a lone surrogate has no UTF-8 form
            }
        }
        b[at++] = '"';
        size = at;
    }

    /** Appends a JSON string of ASCII chars that need no escape (timestamps, hex digests). */
    void asciiString(char[] chars, int len) {
        ensure(len + 2);
        buf[size++] = '"';
        for (int i = 0; i < len; i++) {
            buf[size++] = (byte) chars[i];
        }
        buf[size++] = '"';
    }

    /** Appends a JSON string of bytes that need no escape (hex digests). */
    void asciiString(byte[] bytes) {
        ensure(bytes.length + 2);
        buf[size++] = '"';
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        buf[size++] = '"';
    }

    /** Appends a whole number in decimal, as Long.toString writes it. */
    void number(long value) {
        ensure(20);
        long v = value;
        if (v < 0) {
            buf[size++] = '-';
        } else {
            v = -v; // count down on the negative side: Long.MIN_VALUE has no positive counterpart
        }
        int digits = 1;
        for (long t = v / 10; t != 0; t /= 10) {
            digits++;
        }
        int at = size + digits;
        size = at;
        do {
            buf[--at] = (byte) ('0' - (v % 10));
            v /= 10;
        } while (v != 0);
    }

    private static int unicodeEscape(byte[] b, int at, char c) {
        b[at++] = '\\';
        b[at++] = 'u';
        b[at++] = UPPER_HEX[c >> 12];
        b[at++] = UPPER_HEX[(c >> 8) & 0xf];
        b[at++] = UPPER_HEX[(c >> 4) & 0xf];
        b[at++] = UPPER_HEX[c & 0xf];
        return at;
    }

    int size() {
        return size;
    }

    /** The backing array: valid until the next append. */
    byte[] array() {
        return buf;
    }

    void truncate(int newSize) {
        size = newSize;
    }

    /** The contents as a read-only view, without copying; valid until the next append or truncate. */
    ByteBuffer view() {
        return ByteBuffer.wrap(buf, 0, size).asReadOnlyBuffer();
    }

    private void ensure(int more) {
        if (buf.length - size < more) {
            int needed = Math.addExact(size, more);
            buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
        }
    }
}
