package org.sluice.policy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FingerprintIndexTest {

    private static final byte[] SALT = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** 40 rows: a unique id, a city of 10 (4 rows each), a birth year of 20 (2 rows each), a flag of 2. */
    private static FingerprintIndex cities(byte[] salt) {
        FingerprintIndexBuilder builder = FingerprintIndexBuilder.forColumns(List.of("id", "city", "year", "flag"), salt);
        for (int i = 0; i < 40; i++) {
            builder.addRow(List.of("ID-" + i, "City " + (i % 10), String.valueOf(1950 + i % 20), i % 2 == 0 ? "Y" : ""));
        }
        return builder.rareRows(1).build();
    }

    private static boolean rare(FingerprintIndex index, String raw) {
        return index.isRare(index.valueHash(CellNormalizer.normalize(raw)));
    }

    private static boolean pair(FingerprintIndex index, String a, String b) {
        return index.isRowPair(index.valueHash(CellNormalizer.normalize(a)), index.valueHash(CellNormalizer.normalize(b)));
    }

    @Test
    void rareValuesAreFoundAndCommonOnesAreNot() {
        FingerprintIndex index = cities(SALT);

        assertThat(rare(index, "ID-0")).isTrue();
        assertThat(rare(index, " id-39 ")).as("normalised like the data").isTrue();
        assertThat(rare(index, "1950.0")).as("two rows: above the limit").isFalse();
        assertThat(rare(index, "City 3")).as("four rows: common").isFalse();
        assertThat(rare(index, "y")).isFalse();
        assertThat(rare(index, "ID-40")).as("not in the data").isFalse();
        assertThat(index.rareValues()).isEqualTo(40);
        assertThat(index.distinctValues()).isEqualTo(40 + 10 + 20 + 1);
    }

    @Test
    void aValueInExactlyTheRareRowLimitIsRareAndOneMoreRowIsNot() {
        FingerprintIndexBuilder builder = FingerprintIndexBuilder.forColumns(List.of("year"), SALT).rareRows(2);
        builder.addRow(List.of("1950")).addRow(List.of("1950")).addRow(List.of("1951")).addRow(List.of("1951"))
                .addRow(List.of("1951")).addRow(List.of("1952.0")).addRow(List.of("1952"));

        FingerprintIndex index = builder.build();

        assertThat(rare(index, "1950")).isTrue();
        assertThat(rare(index, "1951")).isFalse();
        assertThat(rare(index, "1952")).as("1952.0 and 1952 are one value in two rows").isTrue();
        assertThat(index.distinctValues()).isEqualTo(3);
    }

    @Test
    void pairsAreTheCellsOfOneRowInTheChosenColumnsInEitherOrder() {
        FingerprintIndex index = cities(SALT);

        assertThat(index.pairColumns()).as("id is mostly rare, flag has 1 value").containsExactly("city", "year");
        assertThat(pair(index, "City 3", "1953")).isTrue();
        assertThat(pair(index, "1953", "city 3")).isTrue();
        assertThat(pair(index, "City 3", "1954")).as("never in one row").isFalse();
        assertThat(pair(index, "ID-3", "City 3")).as("id is not a pair column").isFalse();
        assertThat(index.rowPairs()).as("(city, year) repeats every 20 rows").isEqualTo(20);
    }

    @Test
    void theFileReadsBackAsTheSameIndex() throws Exception {
        FingerprintIndex index = cities(SALT);

        FingerprintIndex read = FingerprintIndex.fromBytes(index.toBytes());

        assertThat(read).isEqualTo(index);
        assertThat(read.columns()).containsExactly("id", "city", "year", "flag");
        assertThat(read.k()).isEqualTo(2);
        assertThat(read.rareRows()).isEqualTo(1);
        assertThat(read.rows()).isEqualTo(40);
        assertThat(rare(read, "ID-7")).isTrue();
        assertThat(pair(read, "City 7", "1957")).isTrue();
    }

    @Test
    void anotherSaltGivesOtherFingerprints() {
        byte[] other = SALT.clone();
        other[15] ^= 1;

        FingerprintIndex first = cities(SALT);
        FingerprintIndex second = cities(other);

        assertThat(first.valueHash("id-0")).isNotEqualTo(second.valueHash("id-0"));
        assertThat(Arrays.equals(first.toBytes(), second.toBytes())).isFalse();
        assertThat(rare(second, "ID-0")).isTrue();
    }

    @Test
    void everyTruncationIsAFormatErrorNamingIt() {
        byte[] file = cities(SALT).toBytes();

        for (int length = 0; length < file.length; length++) {
            byte[] truncated = Arrays.copyOf(file, length);
            assertThatThrownBy(() -> FingerprintIndex.fromBytes(truncated)).as("length %d", length)
                    .isInstanceOf(FingerprintFormatException.class)
                    .hasMessageMatching("(truncated|corrupt|not a fingerprint index).*");
        }
        assertThatThrownBy(() -> FingerprintIndex.fromBytes(Arrays.copyOf(file, file.length - 1)))
                .hasMessageStartingWith("truncated: the file ends inside its checksum");
    }

    @Test
    void everyFlippedBitIsAFormatError() {
        byte[] file = cities(SALT).toBytes();

        for (int position = 0; position < file.length; position++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] damaged = file.clone();
                damaged[position] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> FingerprintIndex.fromBytes(damaged)).as("byte %d bit %d", position, bit)
                        .isInstanceOf(FingerprintFormatException.class);
            }
        }
    }

    @Test
    void anExtraByteAVersionFromTheFutureAndAForeignFileAreNamed() {
        byte[] file = cities(SALT).toBytes();

        assertThatThrownBy(() -> FingerprintIndex.fromBytes(Arrays.copyOf(file, file.length + 1)))
                .hasMessage("corrupt: 1 byte(s) after the checksum");
        byte[] future = file.clone();
        future[9] = 3;
        assertThatThrownBy(() -> FingerprintIndex.fromBytes(future))
                .hasMessageStartingWith("format version 3, this Sluice reads versions 1 to 2");
        byte[] past = file.clone();
        past[9] = 0;
        assertThatThrownBy(() -> FingerprintIndex.fromBytes(past)).hasMessageStartingWith("format version 0");
        assertThatThrownBy(() -> FingerprintIndex.fromBytes("id,name\n1,x\n".getBytes()))
                .hasMessageStartingWith("not a fingerprint index");
    }

    @Test
    void aTableCountBeyondItsBytesIsRefusedBeforeAnythingIsAllocated() {
        byte[] file = cities(SALT).toBytes();
        int rareTable = 8 + 2 + 16 + 1 + 4 + 4 + 4 + 2 + (2 + 2 + 1) + (2 + 4 + 1) + (2 + 4 + 1) + (2 + 4 + 1);
        ByteBuffer.wrap(file).putInt(rareTable, Integer.MAX_VALUE);
        // A crafted file, whose checksum is made to match: the count is refused for what it claims.
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(file, 0, file.length - Integer.BYTES);
        ByteBuffer.wrap(file).putInt(file.length - Integer.BYTES, (int) crc.getValue());

        assertThatThrownBy(() -> FingerprintIndex.fromBytes(file))
                .hasMessageStartingWith("corrupt: the rare-value table claims 2147483647 values in");
    }

    @Test
    void pairValuesAreTheCellsOfPairColumnsThatStandInAPair() {
        FingerprintIndex index = cities(SALT);

        assertThat(index.pairColumns()).containsExactly("city", "year");
        assertThat(index.pairValues()).as("10 cities and 20 years").isEqualTo(30);
        assertThat(index.isPairValue(index.valueHash("city 3"))).isTrue();
        assertThat(index.isPairValue(index.valueHash(CellNormalizer.normalize("1951")))).isTrue();
        assertThat(index.isPairValue(index.valueHash("id-3"))).as("not a pair column").isFalse();
        assertThat(index.isPairValue(index.valueHash("y"))).isFalse();
    }

    @Test
    void aVersionOneFileIsStillReadAndPairsEveryValue() throws Exception {
        FingerprintIndex v2 = cities(SALT);
        FingerprintIndex v1 = new FingerprintIndex(SALT, v2.k(), v2.rareRows(), v2.rows(), v2.distinctValues(),
                v2.columns(), v2.pairColumns(), thirtyTwoBits(v2.rareTable()), v2.pairTable(), null);

        byte[] file = v1.toBytes();
        FingerprintIndex read = FingerprintIndex.fromBytes(file);

        assertThat(file[9]).isEqualTo((byte) 1);
        assertThat(file.length).isLessThan(v2.toBytes().length);
        assertThat(read).isEqualTo(v1);
        assertThat(read.pairValues()).isEqualTo(-1);
        assertThat(read.isPairValue(read.valueHash("anything"))).as("no table: every value may pair").isTrue();
        assertThat(pair(read, "City 3", "1953")).isTrue();
        for (int length = 0; length < file.length; length++) {
            byte[] truncated = Arrays.copyOf(file, length);
            assertThatThrownBy(() -> FingerprintIndex.fromBytes(truncated)).as("length %d", length)
                    .isInstanceOf(FingerprintFormatException.class);
        }
    }

    @Test
    void anEmptyTableHasNoPairsAndNoRareValues() throws Exception {
        FingerprintIndex empty = FingerprintIndexBuilder.forColumns(List.of("a"), SALT).build();

        FingerprintIndex read = FingerprintIndex.fromBytes(empty.toBytes());

        assertThat(read.rows()).isZero();
        assertThat(read.rareValues()).isZero();
        assertThat(read.isRare(read.valueHash("x"))).isFalse();
    }

    /** A version 1 rare table: the low 32 bits of each 40-bit fingerprint, as format 1 stored them. */
    static FingerprintTable thirtyTwoBits(FingerprintTable table) {
        return FingerprintTable.of(table.sortedValues(), table.size(), 32);
    }
}
