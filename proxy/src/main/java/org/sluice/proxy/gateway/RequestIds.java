package org.sluice.proxy.gateway;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 96 random bits as 24 hex characters, unique enough to join client, audit and upstream logs. */
final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong();
        int low = random.nextInt();
        char[] out = new char[24];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (high & 0xF)];
            high >>>= 4;
        }
        for (int i = 23; i >= 16; i--) {
            out[i] = HEX[low & 0xF];
            low >>>= 4;
        }
        return new String(out);
    }
}
