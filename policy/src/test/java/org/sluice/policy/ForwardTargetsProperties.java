package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class ForwardTargetsProperties {

    @Provide
    Arbitrary<int[]> quads() {
        return Arbitraries.integers().between(0, 255).array(int[].class).ofSize(4);
    }

    private static String dotted(int[] q) {
        return q[0] + "." + q[1] + "." + q[2] + "." + q[3];
    }

    @Property
    void everyCanonicalDottedQuadIsAcceptedAndRoundTrips(@ForAll("quads") int[] q,
                                                          @ForAll @IntRange(min = 1, max = 65535) int port) {
        String host = dotted(q);
        Destination destination = ForwardTargets.absolute("http://" + host + ":" + port + "/x").destination();

        assertThat(destination).isEqualTo(new Destination(Listener.FORWARD, "http", host, port));
        assertThat(ForwardTargets.connect(ForwardTargets.authority(destination) + (port == 80 ? ":80" : "")))
                .isEqualTo(new Destination(Listener.FORWARD, "https", host, port));
        assertThat(ForwardTargets.hostDisagreement(ForwardTargets.authority(destination), destination)).isNull();
    }

    /** Integer, hex, octal and shortened spellings of an address: what inet_aton and URL parsers also accept. */
    @Provide
    Arbitrary<String> otherSpellings() {
        Arbitrary<int[]> quads = quads();
        return Arbitraries.oneOf(
                quads.map(q -> Long.toString(value(q))),
                quads.map(q -> "0x" + Long.toHexString(value(q))),
                quads.map(q -> "0" + Long.toOctalString(value(q))),
                quads.map(q -> q[0] + "." + ((q[1] << 16) | (q[2] << 8) | q[3])),
                quads.map(q -> q[0] + "." + q[1] + "." + ((q[2] << 8) | q[3])),
                octalOrHexPart(quads));
    }

    private static long value(int[] q) {
        return ((long) q[0] << 24) | (q[1] << 16) | (q[2] << 8) | q[3];
    }

    /** A dotted quad with one part written in hex or with a leading zero (octal). */
    private static Arbitrary<String> octalOrHexPart(Arbitrary<int[]> quads) {
        return Combinators.combine(quads, Arbitraries.integers().between(0, 3), Arbitraries.of("0x", "0X", "0"))
                .as((q, i, prefix) -> {
                    String[] parts = {"" + q[0], "" + q[1], "" + q[2], "" + q[3]};
                    parts[i] = prefix + (prefix.equals("0") ? Integer.toOctalString(q[i]) : Integer.toHexString(q[i]));
                    return String.join(".", parts);
                });
    }

    @Property
    void everyIntegerHexOctalOrShortenedSpellingIsRefused(@ForAll("otherSpellings") String host) {
        assertThatThrownBy(() -> ForwardTargets.absolute("http://" + host + "/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a canonical IPv4 address");
        assertThatThrownBy(() -> ForwardTargets.connect(host + ":443"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a canonical IPv4 address");
    }
}
