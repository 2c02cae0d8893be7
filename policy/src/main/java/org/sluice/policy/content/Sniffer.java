package org.sluice.policy.content;

import java.util.List;

/**
 * Known binary formats by their magic number at offset 0: what a body is, whatever its Content-Type says. A table,
 * so that a format is one line. Only formats whose magic no ordinary text starts with are listed (no "MZ").
 */
final class Sniffer {

    /** A format and the bytes it starts with ({@code -1} matches any byte). */
    record Magic(String format, int[] bytes) {
        boolean matches(byte[] b, int off, int len) {
            if (len < bytes.length) {
                return false;
            }
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] >= 0 && (b[off + i] & 0xff) != bytes[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Magic> BINARY = List.of(
            magic("gzip", 0x1f, 0x8b),
            magic("zstd", 0x28, 0xb5, 0x2f, 0xfd),
            magic("zip", 'P', 'K', 0x03, 0x04),
            magic("zip", 'P', 'K', 0x05, 0x06),
            magic("zip", 'P', 'K', 0x07, 0x08),
            magic("png", 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a),
            magic("jpeg", 0xff, 0xd8, 0xff),
            magic("gif", 'G', 'I', 'F', '8', '7', 'a'),
            magic("gif", 'G', 'I', 'F', '8', '9', 'a'),
            magic("pdf", '%', 'P', 'D', 'F', '-'),
            magic("elf", 0x7f, 'E', 'L', 'F'),
            magic("bzip2", 'B', 'Z', 'h', -1, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59),
            magic("xz", 0xfd, '7', 'z', 'X', 'Z', 0x00),
            magic("7z", '7', 'z', 0xbc, 0xaf, 0x27, 0x1c),
            magic("java class", 0xca, 0xfe, 0xba, 0xbe),
            magic("sqlite", 'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f', 'o', 'r', 'm', 'a', 't', ' ', '3', 0x00),
            magic("parquet", 'P', 'A', 'R', '1'),
            magic("webp", 'R', 'I', 'F', 'F', -1, -1, -1, -1, 'W', 'E', 'B', 'P'),
            magic("wasm", 0x00, 'a', 's', 'm'));

    private Sniffer() {
    }

    private static Magic magic(String format, int... bytes) {
        return new Magic(format, bytes);
    }

    /** The binary format the bytes start with, or null when they start like none in the table. */
    static String binaryFormat(byte[] b, int off, int len) {
        for (Magic m : BINARY) {
            if (m.matches(b, off, len)) {
                return m.format();
            }
        }
        return null;
    }

    /** Whether the bytes start with a zlib header (RFC 1950: deflate, a window of at most 32 KiB, FCHECK). */
    static boolean isZlib(byte[] b, int off, int len) {
        if (len < 2) {
            return false;
        }
        int cmf = b[off] & 0xff;
        int flg = b[off + 1] & 0xff;
        return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
    }

    /** The compression the bytes start with ({@code gzip}, {@code zlib}, {@code zstd}), or null. */
    static String compression(byte[] b, int off, int len) {
        if (len >= 2 && (b[off] & 0xff) == 0x1f && (b[off + 1] & 0xff) == 0x8b) {
            return "gzip";
        }
        if (len >= 4 && (b[off] & 0xff) == 0x28 && (b[off + 1] & 0xff) == 0xb5 && (b[off + 2] & 0xff) == 0x2f
                && (b[off + 3] & 0xff) == 0xfd) {
            return "zstd";
        }
        return isZlib(b, off, len) ? "zlib" : null;
    }

    /**
     * How a scanner should split text that came without a declared type: JSON when it opens like a JSON object or
     * array, TSV or CSV when its first line has tabs or commas and a second line follows, else plain text.
     */
    static ProtectedDataScanner.Syntax textSyntax(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        if (i < end && (b[i] == '{' || b[i] == '[')) {
            return ProtectedDataScanner.Syntax.JSON;
        }
        int tabs = 0;
        int commas = 0;
        for (int j = i; j < end && j < i + 4096; j++) {
            byte c = b[j];
            if (c == '\n') {
                if (j + 1 >= end) {
                    break;
                }
                if (tabs > 0) {
                    return ProtectedDataScanner.Syntax.TSV;
                }
                return commas > 0 ? ProtectedDataScanner.Syntax.CSV : ProtectedDataScanner.Syntax.TEXT;
            }
            if (c == '\t') {
                tabs++;
            } else if (c == ',') {
                commas++;
            }
        }
        return ProtectedDataScanner.Syntax.TEXT;
    }
}
