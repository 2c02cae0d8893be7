package org.sluice.policy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CellNormalizerTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1.50|15e-1", "1.5|15e-1", "1.5e0|15e-1", "1.500E+0|15e-1", "+1.5|15e-1", "15E-1|15e-1", "0.15e1|15e-1",
        "150|15e1", "1.5e2|15e1", "150.000|15e1", "7|7e0", "007|7e0", "7.|7e0", ".5|5e-1", "-2.50|-25e-1",
        "0|0", "-0|0", "0.000|0", "0e99|0", "+0.0E-7|0",
        "1e2147483647|1e2147483647", "10e2147483646|1e2147483647", "1e-2147483648|1e-2147483648",
        "12345678901234567890123|12345678901234567890123e0"})
    void numbersThatAreEqualHaveOneForm(String raw, String normal) {
        assertThat(CellNormalizer.normalize(raw)).isEqualTo(normal);
    }

    @Test
    void anExponentBeyondWhatBigDecimalHoldsStaysTextInsteadOfFailingOrGrowing() {
        assertThat(CellNormalizer.normalize("1e99999999999")).isEqualTo("1e99999999999");
        assertThat(CellNormalizer.normalize("1E2147483648")).isEqualTo("1e2147483648");
    }

    @Test
    void aNumeralLongerThanTheLimitIsText() {
        String longNumeral = "1".repeat(CellNormalizer.MAX_NUMBER_CHARS + 1);
        assertThat(CellNormalizer.normalize(longNumeral)).isEqualTo(longNumeral);
        String justFits = "1".repeat(CellNormalizer.MAX_NUMBER_CHARS);
        assertThat(CellNormalizer.normalize(justFits)).isEqualTo(justFits + "e0");
    }

    @Test
    void textIsCaseFoldedNfkcAndTrimmed() {
        assertThat(CellNormalizer.normalize("  Alice SMITH \t")).isEqualTo("alice smith");
        assertThat(CellNormalizer.normalize("\uFF21\uFF22\uFF23")).as("fullwidth ABC").isEqualTo("abc");
        assertThat(CellNormalizer.normalize("Cafe\u0301")).as("decomposed é").isEqualTo("caf\u00e9");
        assertThat(CellNormalizer.normalize("\uFF11.\uFF15\uFF10")).as("fullwidth 1.50").isEqualTo("15e-1");
        assertThat(CellNormalizer.normalize("\uFB01le")).as("fi ligature").isEqualTo("file");
        assertThat(CellNormalizer.normalize("İstanbul")).as("root locale, not Turkish").isEqualTo("i\u0307stanbul");
    }

    @Test
    void notQuiteNumbersStayText() {
        assertThat(CellNormalizer.normalize("1,5")).isEqualTo("1,5");
        assertThat(CellNormalizer.normalize("1.5.2")).isEqualTo("1.5.2");
        assertThat(CellNormalizer.normalize("e5")).isEqualTo("e5");
        assertThat(CellNormalizer.normalize("2024-01-31")).isEqualTo("2024-01-31");
        assertThat(CellNormalizer.normalize("NaN")).isEqualTo("nan");
        assertThat(CellNormalizer.normalize("0x1F")).isEqualTo("0x1f");
    }

    @Test
    void anEmptyOrBlankCellHasNoForm() {
        assertThat(CellNormalizer.normalize("")).isNull();
        assertThat(CellNormalizer.normalize(" \t\r\n")).isNull();
        assertThat(CellNormalizer.normalize("\u3000")).as("ideographic space").isNull();
    }
}
