package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "0, 0",
        "1, 1",
        "0B, 0",
        "1B, 1",
        "1024, 1024",
        "1KiB, 1024",
        "64KiB, 65536",
        "1MiB, 1048576",
        "64MiB, 67108864",
        "1GiB, 1073741824",
        "007KiB, 7168",
        "9223372036854775807, 9223372036854775807",
        "9223372036854775807B, 9223372036854775807",
        "9007199254740991KiB, 9223372036854774784",
        "8589934591GiB, 9223372035781033984",
    })
    void parsesBytesAndBinaryUnits(String text, long expected) {
        assertThat(Sizes.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "B", "KiB", "-1", "+1", "1.5MiB", "1 KiB", " 1", "1kib", "1KB", "1MB", "1k", "1G",
        "1TiB", "0x10", "1_000", "\uff11", "1e3", "1KiBB"})
    void refusesAnythingElseWithTheExpectedForm(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad size '" + text + "': expected bytes or a number with B, KiB, MiB or GiB, e.g. 64KiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "9223372036854775808B", "9007199254740992KiB",
        "8796093022208MiB", "8589934592GiB", "99999999999999999999999999GiB"})
    void refusesOverflowInsteadOfWrapping(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad size '" + text + "': larger than the largest size, 9223372036854775807 bytes");
    }
}
