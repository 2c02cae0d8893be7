package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    /** 24 lower-case hex digits, all distinct, and every digit seen in every position: no bit is stuck. */
    @Test
    void idsAre96RandomBitsIn24HexDigits() {
        RequestIds ids = new RequestIds();
        Set<String> seen = new HashSet<>();
        Set<Character>[] digitsAt = new Set[24];
        for (int i = 0; i < 24; i++) {
            digitsAt[i] = new HashSet<>();
        }
        for (int n = 0; n < 5_000; n++) {
            String id = ids.next();
            assertThat(id).matches("[0-9a-f]{24}");
            seen.add(id);
            for (int i = 0; i < 24; i++) {
                digitsAt[i].add(id.charAt(i));
            }
        }
        assertThat(seen).hasSize(5_000);
        for (int i = 0; i < 24; i++) {
            assertThat(digitsAt[i]).as("digits at position %d", i).hasSize(16);
        }
    }
}
