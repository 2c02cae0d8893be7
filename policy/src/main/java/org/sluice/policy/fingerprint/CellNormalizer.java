package org.sluice.policy.fingerprint;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one form a cell value is fingerprinted in, so that the data set and a request body agree on it: Unicode
 * NFKC, lower case (root locale), surrounding white space removed; a number is written as its unscaled digits and
 * a power of ten with trailing zeros gone ({@code 1.50}, {@code 1.5}, {@code 1.5e0} and {@code 1.500E+0} are all
 * {@code 15e-1}; every zero is {@code 0}), so no exponent, however large, is ever spelled out.
 */
public final class CellNormalizer {

    /** Longer numerals stay text: parsing them costs more than they could be worth as a fingerprint. */
    static final int MAX_NUMBER_CHARS = 200;

    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:e[+-]?[0-9]+)?");

    private CellNormalizer() {
    }

    /** The normal form of {@code raw}, or null when nothing is left of it (an empty cell is not fingerprinted). */
    public static String normalize(String raw) {
        String text = Normalizer.normalize(raw, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).strip();
        if (text.isEmpty()) {
            return null;
        }
        if (text.length() <= MAX_NUMBER_CHARS && NUMBER.matcher(text).matches()) {
            String number = canonicalNumber(text);
            if (number != null) {
                return number;
            }
        }
        return text;
    }

    /** Null when the exponent does not fit an int (BigDecimal refuses it): such a cell is kept as text. */
    private static String canonicalNumber(String text) {
        BigDecimal value;
        try {
            value = new BigDecimal(text).stripTrailingZeros();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
        if (value.signum() == 0) {
            return "0";
        }
        long exponent = -(long) value.scale();
        return value.unscaledValue() + "e" + exponent;
    }
}
