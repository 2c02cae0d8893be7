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
    void aKeyIsSixteenBytes() {
        assertThatThrownBy(() -> new SipHash24(new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }
}
