package org.sluice.policy.content;

import java.util.HashSet;
import java.util.Set;

/**
 * The protected rows and rare values found in one request, each counted once however often and in however many
 * places (body, decoded layers, query, headers) it appears. Holds opaque keys, never values. Not thread-safe: one
 * per inspection.
 */
public final class ProtectedFindings {
    private final Set<Long> rows = new HashSet<>();
    private final Set<Long> rareValues = new HashSet<>();

    /** Counts a row, known by a key that is the same wherever the row is found again. */
    public void addRow(long rowKey) {
        rows.add(rowKey);
    }

    /** Counts a rare value, known by its fingerprint. */
    public void addRareValue(long fingerprint) {
        rareValues.add(fingerprint);
    }

    public int rows() {
        return rows.size();
    }

    public int rareValues() {
        return rareValues.size();
    }
}
