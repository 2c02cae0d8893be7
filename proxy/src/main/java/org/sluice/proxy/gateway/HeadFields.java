package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The header fields of a parsed message head: a copy of the head's bytes and offsets into them, four ints a field
 * (name start, name end, value start, value end), no object per field. Values are stored without their surrounding
 * whitespace. Immutable; edits live in {@link IndexedHeaders}.
 */
class HeadFields {
    /** Ints per field in {@link #fields}: name start, name end, value start, value end. */
    static final int STRIDE = 4;
    private static final byte[] COLON_SP = {':', ' '};
    private static final byte[] CRLF = {'\r', '\n'};

    final byte[] bytes;
    private final int[] fields;
    private final int fieldCount;

    HeadFields(byte[] bytes, int[] fields, int fieldCount) {
        this.bytes = bytes;
        this.fields = fields;
        this.fieldCount = fieldCount;
    }

    final int fieldCount() {
        return fieldCount;
    }

    /** The i-th field's name as sent, a view of the head's bytes. */
    final AsciiString name(int i) {
        int at = i * STRIDE;
        return new AsciiString(bytes, fields[at], fields[at + 1] - fields[at], false);
    }

    /** The i-th field's value without surrounding whitespace, a view of the head's bytes. */
    final AsciiString value(int i) {
        int at = i * STRIDE;
        return new AsciiString(bytes, fields[at + 2], fields[at + 3] - fields[at + 2], false);
    }

    /** The i-th field's value as text, one char per byte. */
    final String valueText(int i) {
        int at = i * STRIDE;
        return new String(bytes, fields[at + 2], fields[at + 3] - fields[at + 2], StandardCharsets.ISO_8859_1);
    }

    final int nameStart(int i) {
        return fields[i * STRIDE];
    }

    final int nameLength(int i) {
        return fields[i * STRIDE + 1] - fields[i * STRIDE];
    }

    final int valueLength(int i) {
        return fields[i * STRIDE + 3] - fields[i * STRIDE + 2];
    }

    /** True when the i-th field's name is {@code name}, compared as HTTP compares names (ASCII, any case). */
    final boolean nameIs(int i, CharSequence name) {
        int at = i * STRIDE;
        return HeadSyntax.spells(bytes, fields[at], fields[at + 1], name, true);
    }

    /** The first field named {@code name}, or -1. */
    final int indexOf(CharSequence name) {
        for (int i = 0; i < fieldCount; i++) {
            if (nameIs(i, name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * True when the i-th field's value, read as a comma-separated list, has {@code token} as an element (spaces
     * and tabs around elements ignored); allocates nothing.
     */
    final boolean valueLists(int i, CharSequence token, boolean ignoreCase) {
        int at = i * STRIDE;
        int end = fields[at + 3];
        int start = fields[at + 2];
        while (start <= end) {
            int comma = start;
            while (comma < end && bytes[comma] != ',') {
                comma++;
            }
            int a = start;
            int b = comma;
            while (a < b && (bytes[a] == ' ' || bytes[a] == '\t')) {
                a++;
            }
            while (b > a && (bytes[b - 1] == ' ' || bytes[b - 1] == '\t')) {
                b--;
            }
            if (HeadSyntax.spells(bytes, a, b, token, ignoreCase)) {
                return true;
            }
            start = comma + 1;
        }
        return false;
    }

    /**
     * True when the i-th field was sent exactly as it is written out ({@code name: value CRLF}) and the next field
     * (if any) starts right after it: such fields go out as one copy of the bytes they came in.
     */
    final boolean writtenAsSent(int i) {
        int at = i * STRIDE;
        int nameEnd = fields[at + 1];
        int valueEnd = fields[at + 3];
        return fields[at + 2] == nameEnd + 2 && bytes[nameEnd + 1] == ' '
                && valueEnd + 1 < bytes.length && bytes[valueEnd] == '\r' && bytes[valueEnd + 1] == '\n'
                && (i + 1 == fieldCount || fields[at + STRIDE] == valueEnd + 2);
    }

    /** Writes fields {@code [from, to)} as {@code name: value CRLF} lines; one copy when they were sent so. */
    final void writeFields(int from, int to, ByteBuf out) {
        int runStart = from;
        for (int i = from; i < to; i++) {
            if (!writtenAsSent(i)) {
                writeRun(runStart, i, out);
                writeField(i, out);
                runStart = i + 1;
            }
        }
        writeRun(runStart, to, out);
    }

    private void writeRun(int from, int to, ByteBuf out) {
        if (from < to) {
            int start = fields[from * STRIDE];
            out.writeBytes(bytes, start, fields[(to - 1) * STRIDE + 3] + 2 - start);
        }
    }

    private void writeField(int i, ByteBuf out) {
        int at = i * STRIDE;
        out.writeBytes(bytes, fields[at], fields[at + 1] - fields[at]);
        out.writeBytes(COLON_SP);
        out.writeBytes(bytes, fields[at + 2], fields[at + 3] - fields[at + 2]);
        out.writeBytes(CRLF);
    }

    /** A field of the head: views of its name and value bytes. */
    static final class Field implements Map.Entry<CharSequence, CharSequence> {
        private final AsciiString name;
        private final AsciiString value;

        Field(AsciiString name, AsciiString value) {
            this.name = name;
            this.value = value;
        }

        @Override
        public CharSequence getKey() {
            return name;
        }

        @Override
        public CharSequence getValue() {
            return value;
        }

        @Override
        public CharSequence setValue(CharSequence value) {
            throw new UnsupportedOperationException("a field of a parsed head is changed with set(name, value)");
        }

        @Override
        public String toString() {
            return name + ": " + value;
        }
    }

    /** A field's name as a view of the head's bytes that can be moved to another field (one object for many). */
    static final class FieldName implements CharSequence {
        private final byte[] bytes;
        private int start;
        private int length;

        FieldName(byte[] bytes) {
            this.bytes = bytes;
        }

        FieldName of(int start, int length) {
            this.start = start;
            this.length = length;
            return this;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[start + index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new AsciiString(bytes, start + from, to - from, true);
        }

        @Override
        public String toString() {
            return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
        }
    }
}
