package org.sluice.proxy.gateway;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 96 random bits as 24 hex characters, unique enough to join client, audit and upstream logs. */
final class RequestIds {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong();
        int low = random.nextInt();
        // Bytes, not chars: a Latin-1 string is made from them without compressing chars first.
        byte[] out = new byte[24];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (high & 0xF)];
            high >>>= 4;
        }
        for (int i = 23; i >= 16; i--) {
            out[i] = HEX[low & 0xF];
            low >>>= 4;
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }
}
