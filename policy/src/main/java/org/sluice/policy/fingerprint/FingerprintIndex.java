package org.sluice.policy.fingerprint;

import java.util.Arrays;
import java.util.List;

/**
 * The fingerprints of a protected data set, without the data: a salted 32-bit fingerprint of every rare value (one
 * found in at most {@code rareRows} rows) and of every pair of cells that share a row in the pair columns. It
 * answers "is this value rare in the data?" and "do these two values stand in one row?", each wrongly with
 * probability {@code size / 2^32} per question. Its file format is in docs/content-checks.md.
 */
public final class FingerprintIndex {

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
    /** The values found in pair columns (format 2); null for a version 1 file, where every value may be one. */
    private final FingerprintTable pairValues;

    FingerprintIndex(byte[] salt, int k, int rareRows, long rows, long distinctValues, List<String> columns,
            List<String> pairColumns, FingerprintTable rare, FingerprintTable pairs, FingerprintTable pairValues) {
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
        this.pairValues = pairValues;
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

    /**
     * Whether a value with this hash stands in a pair column of some row (or collides with one that does): only
     * such values can be half of a row pair, so a scanner pairs only them. Always true for a version 1 index,
     * which does not list them.
     */
    public boolean isPairValue(long valueHash) {
        return pairValues == null || pairValues.contains(ValueHasher.valueFingerprint(valueHash));
    }

    /** The 64-bit hash the pair fingerprint of these two values is cut from; the same in either order. */
    public long pairHash(long valueHashA, long valueHashB) {
        return hasher.pairHash(valueHashA, valueHashB);
    }

    /** Whether a pair with this {@link #pairHash} stands in one row (or collides with one that does). */
    public boolean isRowPairHash(long pairHash) {
        return pairs.contains((int) pairHash);
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

    /** Fingerprints of pair-column values; -1 for a version 1 index, which has no such table. */
    public int pairValues() {
        return pairValues == null ? -1 : pairValues.size();
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
        return FingerprintFile.write(this);
    }

    /** Reads an {@code .sfp} file; a truncated, changed or foreign file is a {@link FingerprintFormatException}. */
    public static FingerprintIndex fromBytes(byte[] file) throws FingerprintFormatException {
        return FingerprintFile.read(file);
    }

    byte[] salt() {
        return salt.clone();
    }

    FingerprintTable rareTable() {
        return rare;
    }

    FingerprintTable pairTable() {
        return pairs;
    }

    /** Null for a version 1 index. */
    FingerprintTable pairValueTable() {
        return pairValues;
    }

    ValueHasher hasher() {
        return hasher;
    }

    /** Same salt, parameters and tables: the same index. */
    @Override
    public boolean equals(Object other) {
        return other instanceof FingerprintIndex index && Arrays.equals(salt, index.salt) && k == index.k
                && rareRows == index.rareRows && rows == index.rows && distinctValues == index.distinctValues
                && columns.equals(index.columns) && pairColumns.equals(index.pairColumns)
                && rare.equals(index.rare) && pairs.equals(index.pairs)
                && java.util.Objects.equals(pairValues, index.pairValues);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(salt) * 31 + rare.hashCode();
    }
}
