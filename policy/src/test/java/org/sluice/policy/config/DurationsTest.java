package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void parsesEachUnit() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("0ms")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void parsesEdgeValuesWithoutOverflow() {
        assertThat(Durations.parse("9223372036854775807ms")).isEqualTo(Duration.ofMillis(Long.MAX_VALUE));
        assertThat(Durations.parse("9223372036854775807s")).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(Durations.parse("153722867280912930m")).isEqualTo(Duration.ofMinutes(153722867280912930L));
        assertThat(Durations.parse("2562047788015215h")).isEqualTo(Duration.ofHours(2562047788015215L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808ms", "153722867280912931m", "2562047788015216h",
        "99999999999999999999999s"})
    void refusesOverflow(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad duration '" + text + "': too large");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "0", "30000"})
    void bareNumberNeedsAUnit(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .hasMessage("bad duration '" + text + "': a unit is required; expected a number with ms, s, m or h, "
                        + "e.g. 5s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "ms", "5sec", "5S", "1.5s", "-1s", "+1s", "5 s", "1d", "PT5S", "5s5", "1us"})
    void refusesOtherForms(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad duration '" + text + "': expected a number with ms, s, m or h, e.g. 5s");
    }
}
