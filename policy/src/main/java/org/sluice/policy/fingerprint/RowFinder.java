package org.sluice.policy.fingerprint;

import org.sluice.policy.content.ProtectedFindings;

/**
 * Finds protected rows among the values that stand close together (one JSON object or array, one CSV line, a
 * window of text tokens). Each value that may be half of a row pair is a candidate; every two candidates within
 * reach of each other are looked up as a pair; the pairs found join candidates into groups (union-find), and at the
 * end of the run a group of at least k candidates joined by at least k(k-1)/2 pairs is one row.
 *
 * <p>A row's key is the smallest 64-bit pair hash among the pairs that found it: the same cells found again
 * (in the query, in another layer) give the same key, and two rows only share a key when they share a pair of
 * values, which no request could tell apart. One per scan and nesting level; not thread-safe.
 */
final class RowFinder {

    /** Candidates held in one run; a run with more is cut here, and pairs across the cut are not looked up. */
    static final int MAX_CANDIDATES = 64;

    private final FingerprintIndex index;
    private final int k;
    private final int pairsForK;
    private final ProtectedFindings findings;
    private final long[] values = new long[MAX_CANDIDATES];
    private final long[] positions = new long[MAX_CANDIDATES];
    private final int[] parent = new int[MAX_CANDIDATES];
    private final int[] size = new int[MAX_CANDIDATES];
    private final int[] pairs = new int[MAX_CANDIDATES];
    private final long[] key = new long[MAX_CANDIDATES];
    private int count;

    RowFinder(FingerprintIndex index, int k, ProtectedFindings findings) {
        this.index = index;
        this.k = k;
        this.pairsForK = k * (k - 1) / 2;
        this.findings = findings;
    }

    /**
     * Adds a candidate at token {@code position}; it is paired with the candidates at most {@code reach} tokens
     * before it. A run whose newest candidate is out of reach of this one ends first: nothing can join them.
     */
    void add(long value, long position, long reach) {
        if (count > 0 && position - positions[count - 1] > reach) {
            close();
        }
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                positions[i] = position;
                return;
            }
        }
        if (count == MAX_CANDIDATES) {
            close();
        }
        int added = count++;
        values[added] = value;
        positions[added] = position;
        parent[added] = added;
        size[added] = 1;
        pairs[added] = 0;
        for (int i = 0; i < added; i++) {
            if (position - positions[i] <= reach) {
                long pairHash = index.pairHash(value, values[i]);
                if (index.isRowPairHash(pairHash)) {
                    join(added, i, pairHash);
                }
            }
        }
    }

    /** Ends the run: counts its rows and forgets its candidates. */
    void close() {
        for (int i = 0; i < count; i++) {
            if (parent[i] == i && size[i] >= k && pairs[i] >= pairsForK) {
                findings.addRow(key[i]);
            }
        }
        count = 0;
    }

    private void join(int a, int b, long pairHash) {
        int rootA = root(a);
        int rootB = root(b);
        if (rootA == rootB) {
            pairs[rootA]++;
            key[rootA] = Math.min(key[rootA], pairHash);
            return;
        }
        long joinedKey = pairs[rootA] == 0 ? pairHash : Math.min(key[rootA], pairHash);
        joinedKey = pairs[rootB] == 0 ? joinedKey : Math.min(joinedKey, key[rootB]);
        parent[rootB] = rootA;
        size[rootA] += size[rootB];
        pairs[rootA] += pairs[rootB] + 1;
        key[rootA] = joinedKey;
    }

    private int root(int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
