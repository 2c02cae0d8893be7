package org.sluice.policy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The reference vectors of the SipHash paper: key 00..0f, message 00..(n-1). */
class SipHash24Test {

    private static byte[] counting(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    @Test
    void matchesThePapersVectors() {
        SipHash24 sip = new SipHash24(counting(16));

        assertThat(sip.hash(counting(0))).isEqualTo(0x726fdb47dd0e0e31L);
        assertThat(sip.hash(counting(1))).isEqualTo(0x74f839c593dc67fdL);
        assertThat(sip.hash(counting(15))).as("the paper's worked example").isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void aSliceHashesAsTheSameBytesAlone() {
        SipHash24 sip = new SipHash24(counting(16));
        byte[] padded = new byte[40];
        for (int length = 0; length <= 30; length++) {
            System.arraycopy(counting(length), 0, padded, 5, length);
            assertThat(sip.hash(padded, 5, length)).as("length %d", length).isEqualTo(sip.hash(counting(length)));
        }
    }

    @Test
    void thePairHashFromTwoLongsIsTheHashOfTheirSeventeenBytes() {
        ValueHasher hasher = new ValueHasher(counting(16));
        java.util.Random random = new java.util.Random(17);
        for (int i = 0; i < 1000; i++) {
            long a = random.nextLong();
            long b = i % 10 == 0 ? a : random.nextLong();
            assertThat(hasher.pairHash(a, b)).isEqualTo(hasher.pairHashThroughBytes(a, b))
                    .isEqualTo(hasher.pairHash(b, a));
        }
    }

    @Test
    void aKeyIsSixteenBytes() {
        assertThatThrownBy(() -> new SipHash24(new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }
}
