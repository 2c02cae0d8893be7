package org.sluice.policy.fingerprint;

/**
 * Reads CSV (RFC 4180 quoting, leniently) and TSV (no quoting) for the scanner: each cell is a value of its
 * line's group. Nothing is refused: a stray quote is kept as text and a quote never closed makes the rest of the
 * body one cell, whose words are then scanned as text.
 */
final class DelimitedTokenizer {

    private DelimitedTokenizer() {
    }

    static void scan(Scan scan, byte[] bytes, int start, int end, byte delimiter, boolean quoted) {
        RowFinder line = scan.group(0);
        int i = start;
        while (i <= end) {
            if (quoted && i < end && bytes[i] == '"') {
                StringBuilder cell = new StringBuilder();
                int j = i + 1;
                int segment = j;
                while (j < end) {
                    if (bytes[j] == '"') {
                        if (j + 1 < end && bytes[j + 1] == '"') {
                            cell.append(new String(bytes, segment, j + 1 - segment, java.nio.charset.StandardCharsets.UTF_8));
                            j += 2;
                            segment = j;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                cell.append(new String(bytes, segment, Math.min(j, end) - segment, java.nio.charset.StandardCharsets.UTF_8));
                int k = Math.min(j + 1, end);
                // text after the closing quote, up to the delimiter, belongs to the cell as written
                int after = k;
                while (after < end && bytes[after] != delimiter && bytes[after] != '\n') {
                    after++;
                }
                if (after > k) {
                    cell.append(new String(bytes, k, after - k, java.nio.charset.StandardCharsets.UTF_8));
                }
                scan.value(cell.toString(), line);
                i = after;
            } else {
                int cellStart = i;
                while (i < end && bytes[i] != delimiter && bytes[i] != '\n') {
                    i++;
                }
                int cellEnd = i;
                if (cellEnd > cellStart && bytes[cellEnd - 1] == '\r' && (i == end || bytes[i] == '\n')) {
                    cellEnd--;
                }
                scan.value(bytes, cellStart, cellEnd, line);
            }
            if (i >= end) {
                break;
            }
            if (bytes[i] == '\n') {
                line.close();
            }
            i++;
        }
        line.close();
    }
}
