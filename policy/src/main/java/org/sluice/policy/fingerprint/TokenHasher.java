package org.sluice.policy.fingerprint;

import java.nio.charset.StandardCharsets;

/**
 * Turns a token's bytes into the value hash of its {@link CellNormalizer} form without a String when the token is
 * ASCII (lower-casing, trimming and the number form are done on bytes); a token with other bytes, or a number
 * whose exponent could reach BigDecimal's limits, goes through {@link CellNormalizer} itself, so both paths agree
 * by construction there. One per scan: it reuses one buffer and is not thread-safe.
 */
final class TokenHasher {

    private final ValueHasher hasher;
    /** {@link ValueHasher#VALUE_DOMAIN} then the normal form, rewritten for every token. */
    private byte[] normal = new byte[64];
    private int normalLength;

    TokenHasher(ValueHasher hasher) {
        this.hasher = hasher;
        normal[0] = ValueHasher.VALUE_DOMAIN;
    }

    /** True when the token has a normal form; its hash is then {@link #hash()}. Empty (blank) tokens have none. */
    boolean normalize(byte[] bytes, int start, int end) {
        for (int i = start; i < end; i++) {
            if (bytes[i] < 0) {
                return normalizeText(new String(bytes, start, end - start, StandardCharsets.UTF_8));
            }
        }
        while (start < end && isAsciiWhitespace(bytes[start])) {
            start++;
        }
        while (end > start && isAsciiWhitespace(bytes[end - 1])) {
            end--;
        }
        if (start == end) {
            return false;
        }
        if (end - start <= CellNormalizer.MAX_NUMBER_CHARS) {
            int number = canonicalNumber(bytes, start, end);
            if (number == NUMBER) {
                return true;
            }
            if (number == UNSURE) {
                return normalizeText(new String(bytes, start, end - start, StandardCharsets.ISO_8859_1));
            }
        }
        ensure(end - start + 1);
        for (int i = start; i < end; i++) {
            byte b = bytes[i];
            normal[1 + i - start] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
        }
        normalLength = 1 + end - start;
        return true;
    }

    /** The same for text already decoded (a JSON string with escapes, a token with non-ASCII characters). */
    boolean normalizeText(String raw) {
        String form = CellNormalizer.normalize(raw);
        if (form == null) {
            return false;
        }
        byte[] utf8 = form.getBytes(StandardCharsets.UTF_8);
        ensure(utf8.length + 1);
        System.arraycopy(utf8, 0, normal, 1, utf8.length);
        normalLength = utf8.length + 1;
        return true;
    }

    /** The value hash of the last normalised token. */
    long hash() {
        return hasher.valueHash(normal, normalLength);
    }

    /** The last normal form, for tests. */
    String normalForm() {
        return new String(normal, 1, normalLength - 1, StandardCharsets.UTF_8);
    }

    private static final int NOT_A_NUMBER = 0;
    private static final int NUMBER = 1;
    private static final int UNSURE = 2;

    /**
     * Writes the number form of {@code [start, end)} when it is a decimal number as CellNormalizer's pattern says:
     * the significant digits and a power of ten ({@code 15e-1}), or {@code 0}. An exponent of 10 or more digits
     * is UNSURE: BigDecimal decides whether it fits, so CellNormalizer is asked.
     */
    private int canonicalNumber(byte[] bytes, int start, int end) {
        int i = start;
        boolean negative = false;
        if (bytes[i] == '+' || bytes[i] == '-') {
            negative = bytes[i] == '-';
            i++;
        }
        int intStart = i;
        while (i < end && isDigit(bytes[i])) {
            i++;
        }
        int intEnd = i;
        int fracStart = i;
        int fracEnd = i;
        if (i < end && bytes[i] == '.') {
            i++;
            fracStart = i;
            while (i < end && isDigit(bytes[i])) {
                i++;
            }
            fracEnd = i;
        }
        if (intEnd == intStart && fracEnd == fracStart) {
            return NOT_A_NUMBER;
        }
        long exponent = 0;
        if (i < end && (bytes[i] == 'e' || bytes[i] == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < end && (bytes[i] == '+' || bytes[i] == '-')) {
                negativeExponent = bytes[i] == '-';
                i++;
            }
            int digitsStart = i;
            while (i < end && isDigit(bytes[i])) {
                i++;
            }
            if (i == digitsStart) {
                return NOT_A_NUMBER;
            }
            int significant = digitsStart;
            while (significant < i - 1 && bytes[significant] == '0') {
                significant++;
            }
            if (i != end) {
                return NOT_A_NUMBER;
            }
            if (i - significant > 9) {
                return UNSURE;
            }
            for (int d = significant; d < i; d++) {
                exponent = exponent * 10 + (bytes[d] - '0');
            }
            if (negativeExponent) {
                exponent = -exponent;
            }
        }
        if (i != end) {
            return NOT_A_NUMBER;
        }
        // the digits are the integer part then the fraction; the value is digits x 10^(exponent - fraction length)
        exponent -= fracEnd - fracStart;
        int first = -1;
        int last = -1;
        for (int d = intStart; d < fracEnd; d++) {
            if (d == intEnd) {
                d = fracStart;
                if (d >= fracEnd) {
                    break;
                }
            }
            if (bytes[d] != '0') {
                if (first < 0) {
                    first = d;
                }
                last = d;
            }
        }
        if (first < 0) {
            ensure(2);
            normal[1] = '0';
            normalLength = 2;
            return NUMBER;
        }
        // trailing zeros after the last significant digit move into the exponent
        exponent += zerosAfter(last, intEnd, fracStart, fracEnd);
        ensure(1 + 1 + (end - start) + 12);
        int out = 1;
        if (negative) {
            normal[out++] = '-';
        }
        for (int d = first; d <= last; d++) {
            if (d == intEnd) {
                d = fracStart;
            }
            normal[out++] = bytes[d];
        }
        normal[out++] = 'e';
        out = writeLong(exponent, out);
        normalLength = out;
        return NUMBER;
    }

    /** How many digits stand after {@code last} in the digit sequence (integer part, then fraction). */
    private static int zerosAfter(int last, int intEnd, int fracStart, int fracEnd) {
        if (last < intEnd) {
            return (intEnd - last - 1) + (fracEnd - fracStart);
        }
        return fracEnd - last - 1;
    }

    private int writeLong(long value, int out) {
        if (value < 0) {
            normal[out++] = '-';
            value = -value;
        }
        int digitsStart = out;
        do {
            normal[out++] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        for (int a = digitsStart, b = out - 1; a < b; a++, b--) {
            byte swap = normal[a];
            normal[a] = normal[b];
            normal[b] = swap;
        }
        return out;
    }

    private void ensure(int length) {
        if (normal.length < length) {
            byte[] bigger = new byte[Math.max(length, normal.length * 2)];
            bigger[0] = ValueHasher.VALUE_DOMAIN;
            normal = bigger;
        }
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** What {@link String#strip()} removes, among ASCII: {@link Character#isWhitespace} of 9-13 and 28-32. */
    static boolean isAsciiWhitespace(byte b) {
        return b == ' ' || (b >= 9 && b <= 13) || (b >= 28 && b <= 31);
    }
}
