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

    private FingerprintTable(int[] flipped) {
        this.flipped = flipped;
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
        return Arrays.binarySearch(flipped, fingerprint ^ FLIP) >= 0;
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
