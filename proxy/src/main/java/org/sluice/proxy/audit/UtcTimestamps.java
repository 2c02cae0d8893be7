package org.sluice.proxy.audit;

import java.time.LocalDate;

/**
 * RFC 3339 timestamps in UTC with milliseconds ({@code 2026-11-23T09:15:02.123Z}) written into a reused char
 * array. The date part is computed once per day; java.time's formatter allocated about 400 bytes per record.
 * Not thread-safe; owned by the audit writer thread. Years 0000 to 9999.
 */
final class UtcTimestamps {
    static final int LENGTH = 24;
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private final char[] out = new char[LENGTH];
    private long cachedDay = Long.MIN_VALUE;

    /** Fills and returns the array: valid until the next call. */
    char[] format(long epochMillis) {
        long day = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        if (day != cachedDay) {
            LocalDate date = LocalDate.ofEpochDay(day);
            digits(date.getYear(), 0, 4);
            out[4] = '-';
            digits(date.getMonthValue(), 5, 2);
            out[7] = '-';
            digits(date.getDayOfMonth(), 8, 2);
            out[10] = 'T';
            out[13] = ':';
            out[16] = ':';
            out[19] = '.';
            out[23] = 'Z';
            cachedDay = day;
        }
        int millisOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
        digits(millisOfDay / 3_600_000, 11, 2);
        digits(millisOfDay / 60_000 % 60, 14, 2);
        digits(millisOfDay / 1_000 % 60, 17, 2);
        digits(millisOfDay % 1_000, 20, 3);
        return out;
    }

    private void digits(int value, int at, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
