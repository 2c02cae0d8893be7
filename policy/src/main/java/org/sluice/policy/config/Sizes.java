package org.sluice.policy.config;

/** Parses sizes: plain bytes, or a whole number with B, KiB, MiB or GiB. */
final class Sizes {

    private Sizes() {}

    /** The size in bytes; IllegalArgumentException with a one-sentence reason when text is not a size. */
    static long parse(String text) {
        int digits = 0;
        while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9') {
            digits++;
        }
        long multiplier = switch (text.substring(digits)) {
            case "", "B" -> 1L;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> 0L;
        };
        if (digits == 0 || multiplier == 0) {
            throw new IllegalArgumentException("bad size '" + NodeReader.shorten(text)
                    + "': expected bytes or a number with B, KiB, MiB or GiB, e.g. 64KiB");
        }
        try {
            return Math.multiplyExact(Long.parseLong(text.substring(0, digits)), multiplier);
        } catch (ArithmeticException | NumberFormatException tooLarge) {
            throw new IllegalArgumentException("bad size '" + NodeReader.shorten(text)
                    + "': larger than the largest size, " + Long.MAX_VALUE + " bytes");
        }
    }
}
