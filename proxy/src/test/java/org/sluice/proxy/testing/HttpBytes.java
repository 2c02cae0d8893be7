package org.sluice.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Byte-level building blocks for raw requests. */
public final class HttpBytes {

    private HttpBytes() {}

    /** The body in Transfer-Encoding: chunked framing, chunks of at most {@code chunkSize} bytes, no trailers. */
    public static byte[] chunked(byte[] body, int chunkSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + body.length / chunkSize * 12 + 16);
        for (int offset = 0; offset < body.length; offset += chunkSize) {
            int length = Math.min(chunkSize, body.length - offset);
            out.writeBytes(ascii(Integer.toHexString(length) + "\r\n"));
            out.write(body, offset, length);
            out.writeBytes(ascii("\r\n"));
        }
        out.writeBytes(ascii("0\r\n\r\n"));
        return out.toByteArray();
    }

    /** The request head (text up to and including the blank line) followed by the body bytes. */
    public static byte[] request(String head, byte[] body) {
        byte[] headBytes = ascii(head);
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    /** Reproducible binary content covering every byte value, so a changed or shifted byte shows. */
    public static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Bytes written as the hostile corpus writes them: \r \n \t \\ and \xHH; any other character is one byte. */
    public static byte[] unescaped(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.write(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '\\' -> out.write('\\');
                case 'x' -> {
                    out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + next + "");
            }
        }
        return out.toByteArray();
    }
}
