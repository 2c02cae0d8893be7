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

/** The {@code .sfp} file of a {@link FingerprintIndex}: its layout is the table in docs/content-checks.md. */
final class FingerprintFile {

    static final byte[] MAGIC = "SLUICEFP".getBytes(StandardCharsets.US_ASCII);
    /** Version 2 adds the pair-value table; version 1 files are still read (without it). */
    static final int VERSION = 2;
    static final int OLDEST_VERSION = 1;

    private FingerprintFile() {
    }

    static byte[] write(FingerprintIndex index) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            // an index read from a version 1 file has no pair-value table and is written back as version 1
            out.writeShort(index.pairValueTable() == null ? OLDEST_VERSION : VERSION);
            out.write(index.salt());
            out.writeByte(index.k());
            out.writeInt(index.rareRows());
            out.writeInt((int) index.rows());
            out.writeInt((int) index.distinctValues());
            out.writeShort(index.columns().size());
            for (String column : index.columns()) {
                byte[] name = column.getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                out.writeByte(index.pairColumns().contains(column) ? 1 : 0);
            }
            if (index.pairValueTable() == null) {
                writeVarintTable(out, index.rareTable());
                writeVarintTable(out, index.pairTable());
            } else {
                writeRiceTable(out, index.rareTable());
                writeRiceTable(out, index.pairTable());
                writeRiceTable(out, index.pairValueTable());
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static void writeVarintTable(DataOutputStream out, FingerprintTable table) throws IOException {
        byte[] gaps = table.encode();
        out.writeInt(table.size());
        out.writeInt(gaps.length);
        out.write(gaps);
    }

    private static void writeRiceTable(DataOutputStream out, FingerprintTable table) throws IOException {
        int rice = table.riceParameter();
        byte[] gaps = table.encodeRice(rice);
        out.writeInt(table.size());
        out.writeByte(table.bits());
        out.writeByte(rice);
        out.writeInt(gaps.length);
        out.write(gaps);
    }

    static FingerprintIndex read(byte[] file) throws FingerprintFormatException {
        ByteBuffer in = ByteBuffer.wrap(file);
        if (file.length < MAGIC.length || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new FingerprintFormatException("not a fingerprint index (it does not start with SLUICEFP): "
                    + "make one with sluice fingerprint build");
        }
        in.position(MAGIC.length);
        String section = "header";
        try {
            int version = in.getShort() & 0xffff;
            if (version < OLDEST_VERSION || version > VERSION) {
                throw new FingerprintFormatException("format version " + version + ", this Sluice reads versions "
                        + OLDEST_VERSION + " to " + VERSION + ": rebuild the index with this Sluice");
            }
            byte[] salt = new byte[FingerprintIndex.SALT_BYTES];
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
            boolean rice = version >= 2;
            FingerprintTable rare;
            FingerprintTable pairs;
            FingerprintTable pairValues = null;
            try {
                section = "rare-value table";
                rare = readTable(in, "rare-value", rice, FingerprintIndexBuilder.RARE_BITS);
                section = "row-pair table";
                pairs = readTable(in, "row-pair", rice, FingerprintIndexBuilder.PAIR_BITS);
                if (rice) {
                    section = "pair-value table";
                    pairValues = readTable(in, "pair-value", true, FingerprintIndexBuilder.PAIR_BITS);
                }
            } catch (FingerprintFormatException e) {
                // A changed byte inside a table can break its coding before the checksum is reached: say what
                // happened to the file (changed after it was written), not what the change broke.
                if (!checksumHolds(file)) {
                    throw checksumMismatch();
                }
                throw e;
            }
            section = "checksum";
            int end = in.position();
            int stored = in.getInt();
            if (in.hasRemaining()) {
                throw new FingerprintFormatException("corrupt: " + in.remaining() + " byte(s) after the checksum");
            }
            CRC32 crc = new CRC32();
            crc.update(file, 0, end);
            if ((int) crc.getValue() != stored) {
                throw checksumMismatch();
            }
            return new FingerprintIndex(salt, k, rareRows, rows, distinct, columns, pairColumns, rare, pairs,
                    pairValues);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new FingerprintFormatException("truncated: the file ends inside its " + section + " ("
                    + file.length + " bytes): rebuild it or copy it again");
        }
    }

    /** Whether the file's last four bytes are the CRC-32 of the rest, as a whole file ends. */
    private static boolean checksumHolds(byte[] file) {
        if (file.length < Integer.BYTES) {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - Integer.BYTES);
        return (int) crc.getValue() == ByteBuffer.wrap(file, file.length - Integer.BYTES, Integer.BYTES).getInt();
    }

    private static FingerprintFormatException checksumMismatch() {
        return new FingerprintFormatException("corrupt: the checksum does not match (the file was changed or "
                + "damaged after it was written): rebuild it");
    }

    /**
     * A table: version 1 is count, byte length and varint gaps of 32-bit values; version 2 is count, fingerprint
     * bits, Rice parameter, byte length and the Rice-coded gaps.
     */
    private static FingerprintTable readTable(ByteBuffer in, String name, boolean rice, int expectedBits)
            throws FingerprintFormatException {
        int count = in.getInt();
        int bits = 32;
        int parameter = 0;
        if (rice) {
            bits = in.get() & 0xff;
            parameter = in.get() & 0xff;
            if (bits != expectedBits) {
                throw new FingerprintFormatException("corrupt: the " + name + " table holds " + bits + "-bit "
                        + "fingerprints, not " + expectedBits);
            }
        }
        int length = in.getInt();
        if (count < 0 || length < 0) {
            throw new FingerprintFormatException("corrupt: the " + name + " table claims a negative size");
        }
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        // a varint takes at least a byte, a Rice code at least 1 + parameter bits
        long leastBits = rice ? (long) count * (1 + Math.min(parameter, bits)) : (long) count * 8;
        if (leastBits > (long) length * 8) {
            throw new FingerprintFormatException("corrupt: the " + name + " table claims " + count + " values in "
                    + length + " bytes (each takes at least " + (rice ? (1 + Math.min(parameter, bits)) + " bits"
                    : "one") + ")");
        }
        ByteBuffer gaps = in.slice(in.position(), length);
        in.position(in.position() + length);
        return rice ? FingerprintTable.decodeRice(gaps, count, bits, parameter, name)
                : FingerprintTable.decode(gaps, count, name);
    }

    private static String utf8(byte[] bytes) throws FingerprintFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FingerprintFormatException("corrupt: a column name is not UTF-8");
        }
    }
}
