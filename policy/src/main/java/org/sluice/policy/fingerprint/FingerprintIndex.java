package org.sluice.policy.fingerprint;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The fingerprints of a protected data set, without the data: a salted 32-bit fingerprint of every rare value (one
 * found in at most {@code rareRows} rows) and of every pair of cells that share a row in the pair columns. It
 * answers "is this value rare in the data?" and "do these two values stand in one row?", each wrongly with
 * probability {@code size / 2^32} per question. Its file format is in docs/content-checks.md.
 */
public final class FingerprintIndex {

    static final byte[] MAGIC = "SLUICEFP".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int SALT_BYTES = 16;

    private final byte[] salt;
    private final ValueHasher hasher;
    private final int k;
    private final int rareRows;
    private final long rows;
    private final long distinctValues;
    private final List<String> columns;
    private final List<String> pairColumns;
    private final FingerprintTable rare;
    private final FingerprintTable pairs;

    FingerprintIndex(byte[] salt, int k, int rareRows, long rows, long distinctValues, List<String> columns,
            List<String> pairColumns, FingerprintTable rare, FingerprintTable pairs) {
        this.salt = salt.clone();
        this.hasher = new ValueHasher(salt);
        this.k = k;
        this.rareRows = rareRows;
        this.rows = rows;
        this.distinctValues = distinctValues;
        this.columns = List.copyOf(columns);
        this.pairColumns = List.copyOf(pairColumns);
        this.rare = rare;
        this.pairs = pairs;
    }

    /** The salted 64-bit hash of a value already in {@link CellNormalizer} form. */
    public long valueHash(String normalized) {
        return hasher.valueHash(normalized);
    }

    /** Whether a value with this hash is in at most {@link #rareRows()} rows (or collides with one that is). */
    public boolean isRare(long valueHash) {
        return rare.contains(ValueHasher.valueFingerprint(valueHash));
    }

    /** Whether two values with these hashes stand in one row's pair columns, in either order (or collide). */
    public boolean isRowPair(long valueHashA, long valueHashB) {
        return pairs.contains(hasher.pairFingerprint(valueHashA, valueHashB));
    }

    /** How many cells of one row must appear together for a request to count that row (the checks' k). */
    public int k() {
        return k;
    }

    /** A value in at most this many rows is rare. */
    public int rareRows() {
        return rareRows;
    }

    /** Data rows the index was built from (the header not counted). */
    public long rows() {
        return rows;
    }

    /** Distinct normalised values in the indexed columns. */
    public long distinctValues() {
        return distinctValues;
    }

    /** The indexed columns, in file order. */
    public List<String> columns() {
        return columns;
    }

    /** The columns whose cells are fingerprinted in pairs. */
    public List<String> pairColumns() {
        return pairColumns;
    }

    /** Fingerprints in the rare-value table. */
    public int rareValues() {
        return rare.size();
    }

    /** Fingerprints in the row-pair table. */
    public int rowPairs() {
        return pairs.size();
    }

    /** The chance that a value that is not rare is reported rare: the table's share of the 2^32 fingerprints. */
    public double rareFalsePositiveRate() {
        return rare.size() / 4294967296.0;
    }

    /** The chance that two values that share no row are reported as a pair. */
    public double pairFalsePositiveRate() {
        return pairs.size() / 4294967296.0;
    }

    /** The {@code .sfp} file. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeShort(VERSION);
            out.write(salt);
            out.writeByte(k);
            out.writeInt(rareRows);
            out.writeInt((int) rows);
            out.writeInt((int) distinctValues);
            out.writeShort(columns.size());
            for (String column : columns) {
                byte[] name = column.getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                out.writeByte(pairColumns.contains(column) ? 1 : 0);
            }
            writeTable(out, rare);
            writeTable(out, pairs);
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static void writeTable(DataOutputStream out, FingerprintTable table) throws IOException {
        byte[] gaps = table.encode();
        out.writeInt(table.size());
        out.writeInt(gaps.length);
        out.write(gaps);
    }

    /** Reads an {@code .sfp} file; a truncated, changed or foreign file is a {@link FingerprintFormatException}. */
    public static FingerprintIndex fromBytes(byte[] file) throws FingerprintFormatException {
        ByteBuffer in = ByteBuffer.wrap(file);
        if (file.length < MAGIC.length || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new FingerprintFormatException("not a fingerprint index (it does not start with SLUICEFP): "
                    + "make one with sluice fingerprint build");
        }
        in.position(MAGIC.length);
        String section = "header";
        try {
            int version = in.getShort() & 0xffff;
            if (version != VERSION) {
                throw new FingerprintFormatException("format version " + version + ", this Sluice reads version "
                        + VERSION + ": rebuild the index with this Sluice");
            }
            byte[] salt = new byte[SALT_BYTES];
            in.get(salt);
            int k = in.get() & 0xff;
            int rareRows = in.getInt();
            long rows = Integer.toUnsignedLong(in.getInt());
            long distinct = Integer.toUnsignedLong(in.getInt());
            section = "column list";
            int columnCount = in.getShort() & 0xffff;
            List<String> columns = new ArrayList<>();
            List<String> pairColumns = new ArrayList<>();
            for (int i = 0; i < columnCount; i++) {
                byte[] name = new byte[in.getShort() & 0xffff];
                in.get(name);
                String column = utf8(name);
                columns.add(column);
                int flags = in.get();
                if ((flags & ~1) != 0) {
                    throw new FingerprintFormatException("corrupt: unknown flags on column " + column);
                }
                if (flags == 1) {
                    pairColumns.add(column);
                }
            }
            if (k < 2 || rareRows < 0) {
                throw new FingerprintFormatException("corrupt: k is " + k + " and the rare-row limit "
                        + rareRows + "; k is at least 2 and the limit not negative");
            }
            section = "rare-value table";
            FingerprintTable rare = readTable(in, "rare-value");
            section = "row-pair table";
            FingerprintTable pairs = readTable(in, "row-pair");
            section = "checksum";
            int end = in.position();
            int stored = in.getInt();
            if (in.hasRemaining()) {
                throw new FingerprintFormatException("corrupt: " + in.remaining() + " byte(s) after the checksum");
            }
            CRC32 crc = new CRC32();
            crc.update(file, 0, end);
            if ((int) crc.getValue() != stored) {
                throw new FingerprintFormatException("corrupt: the checksum does not match (the file was changed "
                        + "or damaged after it was written): rebuild it");
            }
            return new FingerprintIndex(salt, k, rareRows, rows, distinct, columns, pairColumns, rare, pairs);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new FingerprintFormatException("truncated: the file ends inside its " + section + " ("
                    + file.length + " bytes): rebuild it or copy it again");
        }
    }

    private static FingerprintTable readTable(ByteBuffer in, String name) throws FingerprintFormatException {
        int count = in.getInt();
        int length = in.getInt();
        if (count < 0 || length < 0) {
            throw new FingerprintFormatException("corrupt: the " + name + " table claims a negative size");
        }
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        if (count > length) {
            throw new FingerprintFormatException("corrupt: the " + name + " table claims " + count + " values in "
                    + length + " bytes (each takes at least one)");
        }
        ByteBuffer gaps = in.slice(in.position(), length);
        in.position(in.position() + length);
        return FingerprintTable.decode(gaps, count, name);
    }

    private static String utf8(byte[] bytes) throws FingerprintFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FingerprintFormatException("corrupt: a column name is not UTF-8");
        }
    }

    /** Same salt, parameters and tables: the same index. */
    @Override
    public boolean equals(Object other) {
        return other instanceof FingerprintIndex index && Arrays.equals(salt, index.salt) && k == index.k
                && rareRows == index.rareRows && rows == index.rows && distinctValues == index.distinctValues
                && columns.equals(index.columns) && pairColumns.equals(index.pairColumns)
                && rare.equals(index.rare) && pairs.equals(index.pairs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(salt) * 31 + rare.hashCode();
    }
}
