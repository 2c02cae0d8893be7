package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import java.util.Arrays;
import java.util.Date;

/**
 * The fields an edit added to a parsed head ({@link IndexedHeaders}), in order: names and values as given, validated
 * as Netty's headers validate them, in one array (name, value, name, value, ...) sized for the few that Sluice adds
 * (Host, Via, the request id, credentials).
 */
final class AddedFields {
    private static final byte[] COLON_SP = {':', ' '};
    private static final byte[] CRLF = {'\r', '\n'};
    private static final DefaultHeaders.NameValidator<CharSequence> NAMES =
            DefaultHttpHeadersFactory.headersFactory().getNameValidator();
    private static final DefaultHeaders.ValueValidator<CharSequence> VALUES =
            DefaultHttpHeadersFactory.headersFactory().getValueValidator();
    private static final int ROOM = 4;

    private CharSequence[] fields = new CharSequence[2 * ROOM];
    private int count;

    int count() {
        return count;
    }

    CharSequence name(int i) {
        return fields[2 * i];
    }

    CharSequence value(int i) {
        return fields[2 * i + 1];
    }

    /** The first field named {@code name} at {@code from} or after, or -1. */
    int indexOf(CharSequence name, int from) {
        for (int i = from; i < count; i++) {
            if (AsciiString.contentEqualsIgnoreCase(name(i), name)) {
                return i;
            }
        }
        return -1;
    }

    /** Adds a field; an invalid name or value is an IllegalArgumentException, as Netty's headers throw. */
    void add(CharSequence name, Object value) {
        NAMES.validateName(name);
        CharSequence text = value instanceof CharSequence chars ? chars
                : value instanceof Date date ? DateFormatter.format(date) : String.valueOf(value);
        VALUES.validate(text);
        if (2 * count == fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        fields[2 * count] = name;
        fields[2 * count + 1] = text;
        count++;
    }

    void remove(int i) {
        System.arraycopy(fields, 2 * (i + 1), fields, 2 * i, 2 * (count - i - 1));
        count--;
        fields[2 * count] = null;
        fields[2 * count + 1] = null;
    }

    void remove(CharSequence name) {
        for (int i = count - 1; i >= 0; i--) {
            if (AsciiString.contentEqualsIgnoreCase(name(i), name)) {
                remove(i);
            }
        }
    }

    /** True when the i-th field's value, read as a comma-separated list, has {@code token} as an element. */
    boolean valueLists(int i, CharSequence token, boolean ignoreCase) {
        return HeadSyntax.listHas(value(i), token, ignoreCase);
    }

    /** The bytes {@link #writeTo} writes. */
    long encodedBytes() {
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += name(i).length() + COLON_SP.length + value(i).length() + CRLF.length;
        }
        return bytes;
    }

    /** Writes the fields as {@code name: value CRLF} lines, a byte per char. */
    void writeTo(ByteBuf out) {
        for (int i = 0; i < count; i++) {
            writeAscii(name(i), out);
            out.writeBytes(COLON_SP);
            writeAscii(value(i), out);
            out.writeBytes(CRLF);
        }
    }

    private static void writeAscii(CharSequence text, ByteBuf out) {
        if (text instanceof AsciiString ascii) {
            ByteBufUtil.copy(ascii, out);
        } else {
            out.writeCharSequence(text, CharsetUtil.US_ASCII);
        }
    }
}
