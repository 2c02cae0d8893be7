package org.sluice.policy.content;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Takes one compression layer off into a bounded output: it stops, and refuses by {@code decode}, as soon as the
 * output would pass the layer's ratio bound or the budget's total, so a decompression bomb is never inflated
 * whole (the output array never grows past the bound plus one byte). Trailing bytes after the compressed data are
 * refused too: what is not checked must not leave.
 */
final class Decompressor {

    /** The result of decoding: an array and the length used (the array may be longer). */
    record Decoded(byte[] bytes, int length) {
    }

    private Decompressor() {
    }

    /**
     * Decodes {@code layer} ({@code gzip}, {@code zlib}, {@code deflate} (zlib or raw), {@code raw-deflate},
     * {@code zstd}).
     *
     * @throws ContentRefusal by {@code decode} when a bound is crossed or the data is not well-formed
     */
    static Decoded decode(String layer, byte[] in, int off, int len, DecodeBudget budget) {
        Output out = new Output(layer, len, budget);
        try {
            switch (layer) {
                case "gzip" -> gunzip(in, off, len, out, layer);
                case "zlib" -> inflate(in, off, len, out, false, layer);
                case "deflate" -> deflate(in, off, len, out, layer);
                case "zstd" -> unzstd(in, off, len, out);
                default -> throw new IllegalArgumentException(layer);
            }
        } catch (ContentRefusal r) {
            throw r;
        } catch (DataFormatException | IOException | RuntimeException e) {
            // aircompressor reports bad frames with unchecked exceptions of several kinds; all mean "not zstd"
            throw DecodeBudget.malformed(layer);
        }
        budget.charge(out.size);
        return new Decoded(out.buf, out.size);
    }

    /**
     * Like {@link #decode}, for a layer found by its magic number inside the request: null when the bytes only
     * looked like {@code layer} (not well-formed); a crossed bound still refuses.
     */
    static Decoded tryDecode(String layer, byte[] in, int off, int len, DecodeBudget budget) {
        try {
            return decode(layer, in, off, len, budget);
        } catch (DecodeBudget.MalformedLayer notReally) {
            return null;
        }
    }

    private static void gunzip(byte[] b, int off, int len, Output out, String layer) throws DataFormatException {
        int pos = off;
        int end = off + len;
        CRC32 crc = new CRC32();
        do {
            if (end - pos < 18 || (b[pos] & 0xff) != 0x1f || (b[pos + 1] & 0xff) != 0x8b || b[pos + 2] != 8
                    || (b[pos + 3] & 0xe0) != 0) {
                throw DecodeBudget.malformed(layer);
            }
            int flags = b[pos + 3];
            pos += 10;
            if ((flags & 4) != 0) {
                pos += 2 + ((b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8);
            }
            if ((flags & 8) != 0) {
                pos = skipZeroTerminated(b, pos, end, layer);
            }
            if ((flags & 16) != 0) {
                pos = skipZeroTerminated(b, pos, end, layer);
            }
            if ((flags & 2) != 0) {
                pos += 2;
            }
            if (pos >= end) {
                throw DecodeBudget.malformed(layer);
            }
            int memberStart = out.size;
            Inflater inflater = new Inflater(true);
            try {
                inflater.setInput(b, pos, end - pos);
                run(inflater, out, layer);
                pos = end - inflater.getRemaining();
            } finally {
                inflater.end();
            }
            if (end - pos < 8) {
                throw DecodeBudget.malformed(layer);
            }
            crc.reset();
            crc.update(out.buf, memberStart, out.size - memberStart);
            long storedCrc = le32(b, pos);
            long storedSize = le32(b, pos + 4);
            if (storedCrc != crc.getValue() || storedSize != ((out.size - memberStart) & 0xffffffffL)) {
                throw DecodeBudget.malformed(layer);
            }
            pos += 8;
        } while (pos < end); // RFC 1952: members may follow one another; anything else after one is refused
    }

    private static int skipZeroTerminated(byte[] b, int pos, int end, String layer) {
        while (pos < end && b[pos] != 0) {
            pos++;
        }
        if (pos >= end) {
            throw DecodeBudget.malformed(layer);
        }
        return pos + 1;
    }

    private static long le32(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }

    /**
     * RFC 9110's deflate is zlib, but servers and clients have long sent raw deflate under that name: zlib when the
     * header says so and the stream is well-formed, else raw (raw data may start like a zlib header by chance).
     */
    private static void deflate(byte[] b, int off, int len, Output out, String layer) throws DataFormatException {
        if (Sniffer.isZlib(b, off, len)) {
            try {
                inflate(b, off, len, out, false, layer);
                return;
            } catch (DecodeBudget.MalformedLayer | DataFormatException notZlib) {
                out.size = 0;
            }
        }
        inflate(b, off, len, out, true, layer);
    }

    private static void inflate(byte[] b, int off, int len, Output out, boolean raw, String layer)
            throws DataFormatException {
        Inflater inflater = new Inflater(raw);
        try {
            inflater.setInput(b, off, len);
            run(inflater, out, layer);
            if (inflater.getRemaining() > 0) {
                throw DecodeBudget.malformed(layer);
            }
        } finally {
            inflater.end();
        }
    }

    private static void run(Inflater inflater, Output out, String layer) throws DataFormatException {
        while (!inflater.finished()) {
            out.ensureRoom();
            int n = inflater.inflate(out.buf, out.size, out.buf.length - out.size);
            out.advance(n);
            if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                throw DecodeBudget.malformed(layer);
            }
        }
    }

    private static void unzstd(byte[] b, int off, int len, Output out) throws IOException {
        // aircompressor's pure-Java stream keeps at most the frame's window (<= 8 MiB, larger windows are refused
        // as malformed) besides what we ask it for, so the output bound below is the bound on memory too
        try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(b, off, len))) {
            while (true) {
                out.ensureRoom();
                int n = z.read(out.buf, out.size, out.buf.length - out.size);
                if (n < 0) {
                    return;
                }
                out.advance(n);
            }
        }
    }

    /** A growing array that refuses to grow past the layer's bound. */
    private static final class Output {
        private final String layer;
        private final long cap;
        private final boolean capIsRatio;
        private final DecodeBudget budget;
        byte[] buf;
        int size;

        Output(String layer, int encodedLength, DecodeBudget budget) {
            this.layer = layer;
            this.budget = budget;
            long byRatio = (long) Math.max(encodedLength, 1) * budget.maxRatio();
            long byTotal = Math.max(0, budget.remaining());
            this.capIsRatio = byRatio < byTotal;
            this.cap = Math.min(Math.min(byRatio, byTotal), Integer.MAX_VALUE - 16);
            this.buf = new byte[(int) Math.min(cap + 1, Math.max(8192L, encodedLength * 4L))];
        }

        void ensureRoom() {
            if (size < buf.length) {
                return;
            }
            if (size > cap) {
                throw crossed();
            }
            buf = Arrays.copyOf(buf, (int) Math.min(cap + 1, Math.max(8192L, buf.length * 2L)));
        }

        void advance(int n) {
            size += n;
            if (size > cap) {
                throw crossed();
            }
        }

        private ContentRefusal crossed() {
            return capIsRatio ? budget.ratioCrossed(layer) : budget.totalCrossed();
        }
    }
}
