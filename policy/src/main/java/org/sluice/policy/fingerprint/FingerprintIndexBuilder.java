package org.sluice.policy.fingerprint;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link FingerprintIndex} from the rows of a table: add every row, then {@link #build()}. It keeps the
 * 64-bit hash of every cell (8 bytes a cell), never the cell itself, because which values are rare and which
 * columns are paired is only known once every row is in.
 */
public final class FingerprintIndexBuilder {

    /** Default k: two cells of one row seen together count the row. */
    public static final int DEFAULT_K = 2;
    /** Default rare-row limit: a value in at most this many rows is rare (an identifier, an exact amount). */
    public static final int DEFAULT_RARE_ROWS = 3;
    /** Default number of pair columns: 3 columns make 3 pairs a row, about 7 bytes a row on disk. */
    public static final int DEFAULT_PAIR_COLUMNS = 3;
    /** A column with fewer distinct values says too little in a pair (2 x 5 values: only 10 pairs, all common). */
    static final int MIN_PAIR_COLUMN_DISTINCT = 10;

    private final List<String> columns;
    private final ValueHasher hasher;
    private final byte[] salt;
    private int k = DEFAULT_K;
    private int rareRows = DEFAULT_RARE_ROWS;
    private int maxPairColumns = DEFAULT_PAIR_COLUMNS;
    private final List<long[]> rows = new ArrayList<>();
    private final List<boolean[]> present = new ArrayList<>();

    private FingerprintIndexBuilder(List<String> columns, byte[] salt) {
        if (columns.isEmpty() || new HashSet<>(columns).size() != columns.size()) {
            throw new IllegalArgumentException("columns must be named, each once: " + columns);
        }
        this.columns = List.copyOf(columns);
        this.salt = salt.clone();
        this.hasher = new ValueHasher(salt);
    }

    /** A builder with a fresh random salt, so two indexes of the same data share no fingerprint. */
    public static FingerprintIndexBuilder forColumns(List<String> columns) {
        byte[] salt = new byte[FingerprintIndex.SALT_BYTES];
        new SecureRandom().nextBytes(salt);
        return new FingerprintIndexBuilder(columns, salt);
    }

    /** A builder with a given salt: for tests that need the same index twice. */
    static FingerprintIndexBuilder forColumns(List<String> columns, byte[] salt) {
        return new FingerprintIndexBuilder(columns, salt);
    }

    /** How many cells of one row count the row at request time (2..255); stored, the tables do not depend on it. */
    public FingerprintIndexBuilder k(int k) {
        if (k < 2 || k > 255) {
            throw new IllegalArgumentException("k is between 2 and 255, not " + k);
        }
        this.k = k;
        return this;
    }

    /** A value in at most this many rows goes into the rare-value table. */
    public FingerprintIndexBuilder rareRows(int rareRows) {
        if (rareRows < 0) {
            throw new IllegalArgumentException("the rare-row limit is not negative: " + rareRows);
        }
        this.rareRows = rareRows;
        return this;
    }

    /** At most this many columns are paired: c columns cost c(c-1)/2 fingerprints a row. */
    public FingerprintIndexBuilder maxPairColumns(int maxPairColumns) {
        if (maxPairColumns < 0 || maxPairColumns > columns.size()) {
            throw new IllegalArgumentException("between 0 and " + columns.size() + " pair columns, not "
                    + maxPairColumns);
        }
        this.maxPairColumns = maxPairColumns;
        return this;
    }

    /** One row, a cell per column in column order; empty cells are left out of every fingerprint. */
    public FingerprintIndexBuilder addRow(List<String> cells) {
        if (cells.size() != columns.size()) {
            throw new IllegalArgumentException(cells.size() + " cells for " + columns.size() + " columns");
        }
        if (rows.size() == Integer.MAX_VALUE) {
            throw new IllegalStateException("an index holds at most " + Integer.MAX_VALUE + " rows");
        }
        long[] hashes = new long[cells.size()];
        boolean[] has = new boolean[cells.size()];
        for (int i = 0; i < cells.size(); i++) {
            String normal = CellNormalizer.normalize(cells.get(i));
            if (normal != null) {
                hashes[i] = hasher.valueHash(normal);
                has[i] = true;
            }
        }
        rows.add(hashes);
        present.add(has);
        return this;
    }

    /** The index of every row added so far. */
    public FingerprintIndex build() {
        Map<Long, Integer> rowsPerValue = new HashMap<>();
        List<Set<Long>> distinctPerColumn = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            distinctPerColumn.add(new HashSet<>());
        }
        for (int r = 0; r < rows.size(); r++) {
            long[] row = rows.get(r);
            boolean[] has = present.get(r);
            for (int c = 0; c < row.length; c++) {
                if (has[c]) {
                    distinctPerColumn.get(c).add(row[c]);
                    if (!seenEarlierInRow(row, has, c)) {
                        rowsPerValue.merge(row[c], 1, Integer::sum);
                    }
                }
            }
        }
        int[] rare = new int[rowsPerValue.size()];
        int rareCount = 0;
        for (Map.Entry<Long, Integer> value : rowsPerValue.entrySet()) {
            if (value.getValue() <= rareRows) {
                rare[rareCount++] = ValueHasher.valueFingerprint(value.getKey());
            }
        }
        List<Integer> pairColumns = choosePairColumns(rowsPerValue, distinctPerColumn);
        int perRow = pairColumns.size() * (pairColumns.size() - 1) / 2;
        int[] pairs = new int[Math.toIntExact((long) perRow * rows.size())];
        int pairCount = 0;
        Set<Long> pairValues = new HashSet<>();
        for (int r = 0; r < rows.size(); r++) {
            long[] row = rows.get(r);
            boolean[] has = present.get(r);
            for (int i = 0; i < pairColumns.size(); i++) {
                for (int j = i + 1; j < pairColumns.size(); j++) {
                    int a = pairColumns.get(i);
                    int b = pairColumns.get(j);
                    if (has[a] && has[b]) {
                        pairs[pairCount++] = hasher.pairFingerprint(row[a], row[b]);
                        pairValues.add(row[a]);
                        pairValues.add(row[b]);
                    }
                }
            }
        }
        int[] pairValueFingerprints = new int[pairValues.size()];
        int pairValueCount = 0;
        for (long value : pairValues) {
            pairValueFingerprints[pairValueCount++] = ValueHasher.valueFingerprint(value);
        }
        List<String> pairNames = pairColumns.stream().sorted().map(columns::get).toList();
        return new FingerprintIndex(salt, k, rareRows, rows.size(), rowsPerValue.size(), columns, pairNames,
                FingerprintTable.of(rare, rareCount), FingerprintTable.of(pairs, pairCount),
                FingerprintTable.of(pairValueFingerprints, pairValueCount));
    }

    private static boolean seenEarlierInRow(long[] row, boolean[] has, int column) {
        for (int c = 0; c < column; c++) {
            if (has[c] && row[c] == row[column]) {
                return true;
            }
        }
        return false;
    }

    /**
     * The columns with the most distinct values, leaving out those whose cells are mostly rare (an identifier is
     * already found alone, in the rare table) and those with too few values to mean anything in a pair.
     */
    private List<Integer> choosePairColumns(Map<Long, Integer> rowsPerValue, List<Set<Long>> distinctPerColumn) {
        List<Integer> candidates = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            Set<Long> distinct = distinctPerColumn.get(c);
            long rareCells = 0;
            long cells = 0;
            for (int r = 0; r < rows.size(); r++) {
                if (present.get(r)[c]) {
                    cells++;
                    if (rowsPerValue.get(rows.get(r)[c]) <= rareRows) {
                        rareCells++;
                    }
                }
            }
            if (distinct.size() >= MIN_PAIR_COLUMN_DISTINCT && rareCells * 2 < cells) {
                candidates.add(c);
            }
        }
        candidates.sort(Comparator.comparingInt((Integer c) -> distinctPerColumn.get(c).size()).reversed()
                .thenComparing(c -> c));
        return candidates.subList(0, Math.min(maxPairColumns, candidates.size()));
    }
}
