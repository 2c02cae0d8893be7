package org.sluice.policy.fingerprint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A set of fingerprints of 32 to 40 bits: the low {@link #bits()} bits of a 64-bit hash. In memory the values are
 * in an open-addressing table (one cache line a lookup); on disk they are the sorted values' gaps between
 * neighbours, Golomb-Rice coded (format 2: about {@code bits - log2(n) + 1.5} bits a value) or as LEB128 varints
 * (format 1, 32-bit tables only).
 */
final class FingerprintTable {

    private final int bits;
    private final int size;
    /**
     * The fingerprints in an open-addressing table (linear probing) whose slot is the fingerprint's top bits, at
     * most 80% full: a lookup is one random read (a cache line holds the few probes), where a binary search over a
     * 1M-row table misses the cache ~20 times and a bucket directory twice. Tables of 32 bits use {@link #slots32}
     * (0 is empty, and {@link #hasZero} stands for the value 0), wider ones {@link #slots64} (-1 is empty).
     */
    private final int[] slots32;
    private final long[] slots64;
    private final boolean hasZero;
    private final int slotMask;
    private final int shift;
    /**
     * A blocked Bloom filter in front of the slots: 8 bits a fingerprint, 3 of them set in one 64-bit word. It is
     * a sixth of the slots' size (2.6 MB for 2M 40-bit values), so it stays in cache where the slots do not, and
     * answers "absent" for about 96% of the fingerprints that are: most tokens of a body then touch no main memory.
     */
    private final long[] filter;
    private final int filterShift;

    private FingerprintTable(int bits, long[] sorted) {
        this.bits = bits;
        this.size = sorted.length;
        int slotBits = Math.max(4, 64 - Long.numberOfLeadingZeros((long) Math.ceil(sorted.length / 0.8)));
        this.slotMask = (1 << slotBits) - 1;
        this.shift = bits - slotBits;
        boolean zero = false;
        if (bits == 32) {
            slots32 = new int[1 << slotBits];
            slots64 = null;
            for (long value : sorted) {
                if (value == 0) {
                    zero = true;
                    continue;
                }
                int i = (int) (value >>> shift);
                while (slots32[i] != 0) {
                    i = (i + 1) & slotMask;
                }
                slots32[i] = (int) value;
            }
        } else {
            slots32 = null;
            slots64 = new long[1 << slotBits];
            Arrays.fill(slots64, -1L);
            for (long value : sorted) {
                int i = (int) (value >>> shift);
                while (slots64[i] != -1L) {
                    i = (i + 1) & slotMask;
                }
                slots64[i] = value;
            }
        }
        this.hasZero = zero;
        int filterBits = Math.max(1, 64 - Long.numberOfLeadingZeros(Math.max(1, sorted.length / 8L)));
        this.filter = new long[1 << filterBits];
        this.filterShift = bits - filterBits;
        for (long value : sorted) {
            filter[(int) (value >>> filterShift)] |= filterMask(value);
        }
    }

    /** The 3 bits of a fingerprint's word, from its low 18 bits (the word is chosen by its top bits). */
    private static long filterMask(long fingerprint) {
        return (1L << fingerprint) | (1L << (fingerprint >>> 6)) | (1L << (fingerprint >>> 12));
    }

    /** The set of the low {@code bits} bits of these hashes; duplicates count once. */
    static FingerprintTable of(long[] hashes, int count, int bits) {
        if (bits < 32 || bits > 40) {
            throw new IllegalArgumentException("fingerprints are 32 to 40 bits, not " + bits);
        }
        long mask = (1L << bits) - 1;
        long[] sorted = new long[count];
        for (int i = 0; i < count; i++) {
            sorted[i] = hashes[i] & mask;
        }
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < count; i++) {
            if (distinct == 0 || sorted[distinct - 1] != sorted[i]) {
                sorted[distinct++] = sorted[i];
            }
        }
        return new FingerprintTable(bits, Arrays.copyOf(sorted, distinct));
    }

    /** Whether the low {@link #bits()} bits of {@code hash} are in the set. */
    boolean contains(long hash) {
        long fingerprint = hash & ((1L << bits) - 1);
        long mask = filterMask(fingerprint);
        if ((filter[(int) (fingerprint >>> filterShift)] & mask) != mask) {
            return false;
        }
        if (slots32 != null) {
            int wanted = (int) hash;
            if (wanted == 0) {
                return hasZero;
            }
            int i = (int) (Integer.toUnsignedLong(wanted) >>> shift);
            while (true) {
                int slot = slots32[i];
                if (slot == wanted) {
                    return true;
                }
                if (slot == 0) {
                    return false;
                }
                i = (i + 1) & slotMask;
            }
        }
        long wanted = hash & ((1L << bits) - 1);
        int i = (int) (wanted >>> shift);
        while (true) {
            long slot = slots64[i];
            if (slot == wanted) {
                return true;
            }
            if (slot == -1L) {
                return false;
            }
            i = (i + 1) & slotMask;
        }
    }

    int size() {
        return size;
    }

    int bits() {
        return bits;
    }

    /** The chance that a hash not in the set is found: the set's share of the 2^bits fingerprints. */
    double falsePositiveRate() {
        return size / Math.pow(2, bits);
    }

    /** The fingerprints in increasing order (for writing and comparing; lookups never need it). */
    long[] sortedValues() {
        long[] values = new long[size];
        int n = 0;
        if (hasZero) {
            values[n++] = 0;
        }
        if (slots32 != null) {
            for (int slot : slots32) {
                if (slot != 0) {
                    values[n++] = Integer.toUnsignedLong(slot);
                }
            }
        } else {
            for (long slot : slots64) {
                if (slot != -1L) {
                    values[n++] = slot;
                }
            }
        }
        Arrays.sort(values);
        return values;
    }

    /** The Rice parameter that codes this table's gaps in the fewest bits. */
    int riceParameter() {
        long[] sorted = sortedValues();
        int best = 0;
        long bestBits = Long.MAX_VALUE;
        int guess = size == 0 ? 0 : Math.max(0, 63 - Long.numberOfLeadingZeros((1L << bits) / size));
        for (int r = Math.max(0, guess - 2); r <= Math.min(bits, guess + 1); r++) {
            long total = 0;
            long previous = -1;
            for (long value : sorted) {
                long gap = value - previous - 1;
                total += (gap >>> r) + 1 + r;
                previous = value;
            }
            if (total < bestBits) {
                bestBits = total;
                best = r;
            }
        }
        return best;
    }

    /** Format 2: each gap minus one as a unary quotient (ones, then a zero) and {@code rice} low bits, MSB first. */
    byte[] encodeRice(int rice) {
        long[] sorted = sortedValues();
        BitWriter out = new BitWriter(size * (bits - 16) / 8 + 16);
        long previous = -1;
        for (long value : sorted) {
            long gap = value - previous - 1;
            for (long q = gap >>> rice; q > 0; q--) {
                out.write(1);
            }
            out.write(0);
            for (int b = rice - 1; b >= 0; b--) {
                out.write((int) (gap >>> b) & 1);
            }
            previous = value;
        }
        return out.toByteArray();
    }

    /** Reads {@code count} Rice-coded gaps from exactly {@code bytes}; every way they can be wrong is named. */
    static FingerprintTable decodeRice(ByteBuffer bytes, int count, int bits, int rice, String name)
            throws FingerprintFormatException {
        if (rice > bits) {
            throw new FingerprintFormatException("corrupt: the " + name + " table's Rice parameter " + rice
                    + " is wider than its " + bits + "-bit values");
        }
        long limit = 1L << bits;
        long[] values = new long[count];
        long previous = -1;
        long totalBits = (long) bytes.remaining() * 8;
        // 8 bytes of zeros after the data, so a 64-bit window can always be read
        byte[] data = new byte[bytes.remaining() + 8];
        bytes.get(bytes.position(), data, 0, bytes.remaining());
        long position = 0;
        for (int i = 0; i < count; i++) {
            long quotient = 0;
            while (true) {
                if (position >= totalBits) {
                    throw new FingerprintFormatException("corrupt: the " + name + " table holds fewer values than "
                            + "its count (" + count + ")");
                }
                long ones = Long.numberOfLeadingZeros(~(window(data, position) << (position & 7)));
                long run = Math.min(ones, 64 - (position & 7));
                quotient += run;
                position += run;
                if (quotient > (limit >>> rice)) {
                    throw new FingerprintFormatException("corrupt: the " + name + " table is not a sorted set of "
                            + bits + "-bit values");
                }
                if (run < 64 - ((position - run) & 7)) {
                    position++; // the zero that ends the quotient
                    break;
                }
            }
            if (position + rice > totalBits) {
                throw new FingerprintFormatException("corrupt: the " + name + " table holds fewer values than "
                        + "its count (" + count + ")");
            }
            long remainder = rice == 0 ? 0 : (window(data, position) << (position & 7)) >>> (64 - rice);
            position += rice;
            long value = previous + 1 + ((quotient << rice) | remainder);
            if (value >= limit) {
                throw new FingerprintFormatException("corrupt: the " + name + " table is not a sorted set of "
                        + bits + "-bit values");
            }
            values[i] = value;
            previous = value;
        }
        if (position > totalBits || (position + 7) / 8 != bytes.remaining()) {
            throw new FingerprintFormatException("corrupt: the " + name + " table holds more bytes than its "
                    + count + " values need");
        }
        for (long p = position; p < totalBits; p++) {
            if (((data[(int) (p >>> 3)] >>> (7 - (int) (p & 7))) & 1) != 0) {
                throw new FingerprintFormatException("corrupt: the " + name + " table's last byte is not padded "
                        + "with zeros");
            }
        }
        return new FingerprintTable(bits, values);
    }

    /** The 8 bytes from the one that holds bit {@code position}, big-endian. */
    private static long window(byte[] data, long position) {
        int at = (int) (position >>> 3);
        long window = 0;
        for (int i = 0; i < 8; i++) {
            window = (window << 8) | (data[at + i] & 0xffL);
        }
        return window;
    }

    /** Format 1: the LEB128 varint gaps of a 32-bit table, without the count. */
    byte[] encode() {
        if (bits != 32) {
            throw new IllegalStateException("format 1 holds 32-bit tables only");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size * 3);
        long previous = -1;
        for (long unsigned : sortedValues()) {
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

    /** Format 1: reads {@code count} varint gaps from exactly {@code bytes}; every way they can be wrong is named. */
    static FingerprintTable decode(ByteBuffer bytes, int count, String name) throws FingerprintFormatException {
        long[] values = new long[count];
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
            values[i] = value;
            previous = value;
        }
        if (bytes.hasRemaining()) {
            throw new FingerprintFormatException("corrupt: the " + name + " table holds more bytes than its "
                    + count + " values need");
        }
        return new FingerprintTable(32, values);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FingerprintTable table && bits == table.bits && size == table.size
                && Arrays.equals(sortedValues(), table.sortedValues());
    }

    @Override
    public int hashCode() {
        return size * 31 + bits;
    }

    /** Bits into bytes, most significant first; the last byte padded with zeros. */
    private static final class BitWriter {
        private byte[] bytes;
        private long position;

        BitWriter(int capacity) {
            bytes = new byte[Math.max(16, capacity)];
        }

        void write(int bit) {
            int index = (int) (position >>> 3);
            if (index == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            if (bit != 0) {
                bytes[index] |= (byte) (0x80 >>> (position & 7));
            }
            position++;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, (int) ((position + 7) >>> 3));
        }
    }
}
