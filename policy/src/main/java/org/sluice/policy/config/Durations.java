package org.sluice.policy.config;

import java.time.Duration;

/** Parses durations: a whole number with ms, s, m or h. */
final class Durations {

    private Durations() {}

    /** The duration; IllegalArgumentException with a one-sentence reason when text is not a duration. */
    static Duration parse(String text) {
        int digits = 0;
        while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9') {
            digits++;
        }
        String unit = text.substring(digits);
        if (digits > 0 && unit.isEmpty()) {
            throw new IllegalArgumentException("bad duration '" + NodeReader.shorten(text)
                    + "': a unit is required; expected a number with ms, s, m or h, e.g. 5s");
        }
        long seconds = switch (unit) {
            case "ms" -> 0L;
            case "s" -> 1L;
            case "m" -> 60L;
            case "h" -> 3600L;
            default -> -1L;
        };
        if (digits == 0 || seconds < 0) {
            throw new IllegalArgumentException("bad duration '" + NodeReader.shorten(text)
                    + "': expected a number with ms, s, m or h, e.g. 5s");
        }
        try {
            long amount = Long.parseLong(text.substring(0, digits));
            return seconds == 0 ? Duration.ofMillis(amount) : Duration.ofSeconds(Math.multiplyExact(amount, seconds));
        } catch (ArithmeticException | NumberFormatException tooLarge) {
            throw new IllegalArgumentException("bad duration '" + NodeReader.shorten(text) + "': too large");
        }
    }
}
