package org.sluice.proxy.audit.read;

/**
 * The earliest and the latest {@code ts} of a set of lines, as written. Only timestamps in the writer's form
 * ({@code 2026-11-23T09:15:02.123Z}: fixed width, UTC) count; in that form text order is time order, which
 * spares a date parse per line. Not thread-safe.
 */
final class TimeRange {

    private String earliest;
    private String latest;

    void add(String ts) {
        if (!canonical(ts)) {
            return;
        }
        if (earliest == null || ts.compareTo(earliest) < 0) {
            earliest = ts;
        }
        if (latest == null || ts.compareTo(latest) > 0) {
            latest = ts;
        }
    }

    /** null when no timestamp counted. */
    String earliest() {
        return earliest;
    }

    /** null when no timestamp counted. */
    String latest() {
        return latest;
    }

    /** yyyy-MM-ddTHH:mm:ss.SSSZ with digits where digits belong. */
    static boolean canonical(String ts) {
        if (ts == null || ts.length() != 24) {
            return false;
        }
        for (int i = 0; i < 24; i++) {
            char c = ts.charAt(i);
            char expected = switch (i) {
                case 4, 7 -> '-';
                case 10 -> 'T';
                case 13, 16 -> ':';
                case 19 -> '.';
                case 23 -> 'Z';
                default -> '0';
            };
            if (expected == '0' ? c < '0' || c > '9' : c != expected) {
                return false;
            }
        }
        return true;
    }
}
