package org.sluice.policy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The scanner's byte path gives exactly {@link CellNormalizer#normalize}'s form, whatever the spelling. */
class TokenHasherProperties {

    private static final byte[] SALT = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static void assertSameForm(String raw) {
        TokenHasher hasher = new TokenHasher(new ValueHasher(SALT));
        byte[] utf8 = raw.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[utf8.length + 6];
        System.arraycopy(utf8, 0, padded, 3, utf8.length);
        // what a body carries is UTF-8: a lone surrogate in a Java string arrives as '?'
        String expected = CellNormalizer.normalize(new String(utf8, StandardCharsets.UTF_8));

        boolean has = hasher.normalize(padded, 3, 3 + utf8.length);

        assertThat(has).as("has a form: %s", raw).isEqualTo(expected != null);
        if (expected != null) {
            assertThat(hasher.normalForm()).as("form of %s", raw.codePoints().mapToObj(Integer::toHexString).toList()).isEqualTo(expected);
            assertThat(hasher.hash()).isEqualTo(new ValueHasher(SALT).valueHash(expected));
        }
    }

    /** Numbers in every spelling: signs, leading and trailing zeros, a point or not, exponents of any size. */
    @Provide
    Arbitrary<String> numbers() {
        Arbitrary<String> sign = Arbitraries.of("", "", "+", "-");
        Arbitrary<String> digits = Arbitraries.strings().withChars("0000123456789").ofMinLength(0).ofMaxLength(30);
        Arbitrary<String> point = Arbitraries.of("", ".", ".", ".");
        Arbitrary<String> exponent = Arbitraries.oneOf(Arbitraries.just(""),
                Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                        Arbitraries.strings().withChars("0123456789").ofMinLength(0).ofMaxLength(12))
                        .as((e, s, d) -> e + s + d),
                Arbitraries.of("e2147483647", "e-2147483648", "E2147483648", "e999999999", "e-999999999",
                        "e0000000001", "e-0000000000000002147483648"));
        Arbitrary<String> space = Arbitraries.of("", "", " ", "\t", "\u001f");
        return Combinators.combine(space, sign, digits, point, digits, exponent, space)
                .as((a, s, i, p, f, e, b) -> a + s + i + p + f + e + b);
    }

    @Property(tries = 3000)
    void numbersTakeCellNormalizersForm(@ForAll("numbers") String raw) {
        assertSameForm(raw);
    }

    @Property(tries = 2000)
    void asciiTakesCellNormalizersForm(@ForAll("ascii") String raw) {
        assertSameForm(raw);
    }

    @Provide
    Arbitrary<String> ascii() {
        return Arbitraries.strings().ascii().ofMaxLength(40);
    }

    @Property(tries = 2000)
    void unicodeTakesCellNormalizersForm(@ForAll("unicode") String raw) {
        assertSameForm(raw);
    }

    @Provide
    Arbitrary<String> unicode() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(20),
                Arbitraries.strings().withChars("１２３．５ｅＥ－＋ＡＢｃﬁİ é\u3000\u00a0 0123456789.e-+").ofMaxLength(20));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.50", "1.5e0", "1.500E+0", "15E-1", "0.15e1", "-0", "0.000", "0e99", "+0.0E-7", "7.",
        ".5", "007", "150.000", "1e2147483647", "10e2147483646", "1e-2147483648", "1e99999999999", "1E2147483648",
        "12345678901234567890123", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "--1", "1985-03-02", "P-001234",
        "  Ann@Example.ORG ", "", "   ", "１．５", "ＡＢＣ", "ﬁ", "İ", "\u00a0x\u00a0"})
    void casesThatMatter(String raw) {
        assertSameForm(raw);
    }

    @Test
    void aNumeralAtAndOverTheLengthLimit() {
        assertSameForm("1".repeat(CellNormalizer.MAX_NUMBER_CHARS));
        assertSameForm("1".repeat(CellNormalizer.MAX_NUMBER_CHARS + 1));
        assertSameForm(" " + "1".repeat(CellNormalizer.MAX_NUMBER_CHARS) + " ");
    }
}
