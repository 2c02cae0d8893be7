package org.sluice.policy.fingerprint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A set of 32-bit fingerprints: sorted in memory for binary search, written as the first value and then the gaps
 * between neighbours in LEB128 varints (n values spread over 2^32 have gaps near 2^32/n: about 2.3 bytes each for
 * 300,000 values, instead of 4).
 */
final class FingerprintTable {

    private static final int FLIP = 0x80000000;

    /** Each fingerprint xor {@link #FLIP}, so signed order is the unsigned order of the fingerprints. */
    private final int[] flipped;

    /**
     * Where each bucket of fingerprints (by their top bits) starts in {@link #flipped}, plus the
     * end: a lookup reads one bucket of about two values instead of binary-searching ~22 cache lines of a 1M-row
     * table. Built at load, never stored; 4 bytes per 2 to 4 fingerprints.
     */
    private final int[] bucketStarts;
    private final int bucketShift;

    private FingerprintTable(int[] flipped) {
        this.flipped = flipped;
        int bucketBits = Math.max(1, 31 - Integer.numberOfLeadingZeros(Math.max(1, flipped.length)) - 1);
        this.bucketShift = 32 - bucketBits;
        this.bucketStarts = new int[(1 << bucketBits) + 1];
        int next = 0;
        for (int b = 0; b < 1 << bucketBits; b++) {
            bucketStarts[b] = next;
            while (next < flipped.length && ((flipped[next] ^ FLIP) >>> bucketShift) == b) {
                next++;
            }
        }
        bucketStarts[1 << bucketBits] = next;
    }

    /** The set of these fingerprints; duplicates count once. */
    static FingerprintTable of(int[] fingerprints, int count) {
        int[] sorted = new int[count];
        for (int i = 0; i < count; i++) {
            sorted[i] = fingerprints[i] ^ FLIP;
        }
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < count; i++) {
            if (distinct == 0 || sorted[distinct - 1] != sorted[i]) {
                sorted[distinct++] = sorted[i];
            }
        }
        return new FingerprintTable(Arrays.copyOf(sorted, distinct));
    }

    boolean contains(int fingerprint) {
        int bucket = fingerprint >>> bucketShift;
        int wanted = fingerprint ^ FLIP;
        for (int i = bucketStarts[bucket], end = bucketStarts[bucket + 1]; i < end; i++) {
            if (flipped[i] == wanted) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return flipped.length;
    }

    /** The varint gaps, without the count. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(flipped.length * 3);
        long previous = -1;
        for (int value : flipped) {
            long unsigned = Integer.toUnsignedLong(value ^ FLIP);
            long gap = unsigned - previous;
            while (gap >= 0x80) {
                out.write((int) (gap & 0x7f) | 0x80);
                gap >>>= 7;
            }
            out.write((int) gap);
            previous = unsigned;
        }
        return out.toByteArray();
    }

    /** Reads {@code count} gaps from exactly {@code bytes}; every way they can be wrong is an exception naming it. */
    static FingerprintTable decode(ByteBuffer bytes, int count, String name) throws FingerprintFormatException {
        int[] flipped = new int[count];
        long previous = -1;
        for (int i = 0; i < count; i++) {
            long gap = 0;
            for (int shift = 0; ; shift += 7) {
                if (!bytes.hasRemaining()) {
                    throw new FingerprintFormatException("corrupt: the " + name + " table holds fewer values than "
                            + "its count (" + count + ")");
                }
                int b = bytes.get() & 0xff;
                if (shift > 28) {
                    throw new FingerprintFormatException("corrupt: a gap in the " + name + " table is too long");
                }
                gap |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            long value = previous + gap;
            if (gap == 0 || value > 0xffffffffL) {
                throw new FingerprintFormatException("corrupt: the " + name + " table is not a sorted set of "
                        + "32-bit values");
            }
            flipped[i] = (int) value ^ FLIP;
            previous = value;
        }
        if (bytes.hasRemaining()) {
            throw new FingerprintFormatException("corrupt: the " + name + " table holds more bytes than its "
                    + count + " values need");
        }
        return new FingerprintTable(flipped);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FingerprintTable table && Arrays.equals(flipped, table.flipped);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(flipped);
    }
}
