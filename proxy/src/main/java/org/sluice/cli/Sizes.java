package org.sluice.cli;

/** Byte counts in the config file's own units (B, KiB, MiB, GiB), exact: the largest unit that divides evenly. */
final class Sizes {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB"};

    private Sizes() {
    }

    static String format(long bytes) {
        int unit = 0;
        long value = bytes;
        while (unit < UNITS.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + " " + UNITS[unit];
    }
}
