package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

class SizesProperties {

    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** Exact arithmetic in BigInteger decides what the long result must be, or that it must be refused. */
    @Property(tries = 3000)
    void everyUnitMultipliesExactlyOrIsRefusedAsTooLarge(
            @ForAll @NumericChars @StringLength(min = 1, max = 22) String digits,
            @ForAll @From("units") String unit) {
        BigInteger exact = new BigInteger(digits).shiftLeft(switch (unit) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 0;
        });
        if (exact.compareTo(MAX) <= 0) {
            assertThat(Sizes.parse(digits + unit)).isEqualTo(exact.longValueExact());
        } else {
            assertThatThrownBy(() -> Sizes.parse(digits + unit)).hasMessageContaining("larger than the largest size");
        }
    }

    @Provide
    Arbitrary<String> units() {
        return Arbitraries.of("", "B", "KiB", "MiB", "GiB");
    }

    @Property(tries = 2000)
    void durationsNeverThrowAnythingButTheirOwnRefusal(
            @ForAll @Chars({'0', '1', '9', 'm', 's', 'h', '.', '-', ' '}) @StringLength(max = 25) String text) {
        try {
            assertThat(Durations.parse(text).isNegative()).isFalse();
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).startsWith("bad duration '");
        }
    }

    @Property(tries = 1000)
    void plainByteCountsRoundTrip(@ForAll @LongRange(min = 0) long bytes) {
        assertThat(Sizes.parse(Long.toString(bytes))).isEqualTo(bytes);
        assertThat(Sizes.parse(bytes + "B")).isEqualTo(bytes);
    }
}
