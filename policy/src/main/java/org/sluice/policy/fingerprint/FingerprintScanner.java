package org.sluice.policy.fingerprint;

import java.util.Objects;
import org.sluice.policy.content.ProtectedDataScanner;
import org.sluice.policy.content.ProtectedFindings;

/**
 * The {@code protectedData} scanner over a {@link FingerprintIndex}: tokenises a body (JSON values and keys,
 * CSV/TSV cells, other text split at separators), looks every token up as a rare value and pairs the tokens that
 * stand close together (one JSON object or array, one CSV/TSV line, {@value Scan#TEXT_WINDOW} text tokens) to
 * find rows of which at least k cells appear. How and why is in docs/content-checks.md, "Scanning". Immutable;
 * every {@link #scan} works on its own state, so one scanner serves every thread.
 */
public final class FingerprintScanner implements ProtectedDataScanner {

    private final FingerprintIndex index;
    private final int k;

    private FingerprintScanner(FingerprintIndex index, int k) {
        this.index = index;
        this.k = k;
    }

    /**
     * A scanner that counts a row when {@code k} (at least 2) of its cells stand together. A k above the index's
     * number of pair columns can never be reached by pairs: such a scanner counts no rows, only rare values (see
     * {@link #countsRows()}).
     */
    public static FingerprintScanner of(FingerprintIndex index, int k) {
        Objects.requireNonNull(index, "index");
        if (k < 2 || k > 255) {
            throw new IllegalArgumentException("k is between 2 and 255, not " + k);
        }
        return new FingerprintScanner(index, k);
    }

    /** Whether this scanner can count a row at all: k cells of a row must be able to stand in k pair columns. */
    public boolean countsRows() {
        return k <= index.pairColumns().size();
    }

    @Override
    public void scan(byte[] bytes, int offset, int length, Syntax syntax, ProtectedFindings findings) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        Objects.requireNonNull(findings, "findings");
        Scan scan = new Scan(index, k, findings);
        int end = offset + length;
        switch (syntax) {
            case JSON -> {
                if (!JsonTokenizer.scan(scan, bytes, offset, end)) {
                    // what it found before the error stays found; the whole body is then read again as text
                    scan.text(bytes, offset, end);
                }
            }
            case CSV -> DelimitedTokenizer.scan(scan, bytes, offset, end, (byte) ',', true);
            case TSV -> DelimitedTokenizer.scan(scan, bytes, offset, end, (byte) '\t', false);
            case TEXT -> scan.text(bytes, offset, end);
        }
    }
}
