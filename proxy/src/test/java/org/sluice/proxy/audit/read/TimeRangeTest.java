package org.sluice.proxy.audit.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimeRangeTest {

    @Test
    void keepsTheEarliestAndLatestInTheWritersForm() {
        TimeRange range = new TimeRange();

        range.add("2026-11-23T10:00:00.000Z");
        range.add("2026-11-23T09:59:59.999Z");
        range.add("2026-12-01T00:00:00.000Z");
        range.add("2027-01-01T00:00:00Z");      // no milliseconds: not the writer's form, left out
        range.add("2026-11-23 08:00:00.000Z");
        range.add(null);

        assertThat(range.earliest()).isEqualTo("2026-11-23T09:59:59.999Z");
        assertThat(range.latest()).isEqualTo("2026-12-01T00:00:00.000Z");
        assertThat(new TimeRange().earliest()).isNull();
        assertThat(TimeRange.canonical("2026-11-23T09:15:02.123Z")).isTrue();
        assertThat(TimeRange.canonical("2026-11-23T09:15:02.12aZ")).isFalse();
    }
}
