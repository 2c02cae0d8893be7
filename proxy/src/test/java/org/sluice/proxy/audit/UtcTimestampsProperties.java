package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class UtcTimestampsProperties {

    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** From 1970 to 9999: what the writer produces equals java.time's formatting. */
    @Property
    void matchesJavaTime(@ForAll @LongRange(min = 0L, max = 253_402_300_799_999L) long epochMillis) {
        assertThat(new String(new UtcTimestamps().format(epochMillis)))
                .isEqualTo(REFERENCE.format(Instant.ofEpochMilli(epochMillis)));
    }

    /** The cached date is replaced when consecutive records fall on different days, in either direction. */
    @Property
    void oneFormatterFollowsAnySequenceOfInstants(@ForAll @LongRange(min = 0L, max = 4_102_444_800_000L) long first,
                                                  @ForAll @LongRange(min = 0L, max = 4_102_444_800_000L) long second) {
        UtcTimestamps timestamps = new UtcTimestamps();
        timestamps.format(first);
        assertThat(new String(timestamps.format(second))).isEqualTo(REFERENCE.format(Instant.ofEpochMilli(second)));
        assertThat(new String(timestamps.format(second + 1)))
                .isEqualTo(REFERENCE.format(Instant.ofEpochMilli(second + 1)));
    }
}
