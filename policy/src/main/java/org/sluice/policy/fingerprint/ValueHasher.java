package org.sluice.policy.fingerprint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The salted hashes of an index: of a normalised value, and of an unordered pair of value hashes. */
final class ValueHasher {

    private static final byte VALUE_DOMAIN = 0;
    private static final byte PAIR_DOMAIN = 1;

    private final SipHash24 hash;

    ValueHasher(byte[] salt) {
        hash = new SipHash24(salt);
    }

    long valueHash(String normalized) {
        byte[] text = normalized.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[text.length + 1];
        input[0] = VALUE_DOMAIN;
        System.arraycopy(text, 0, input, 1, text.length);
        return hash.hash(input);
    }

    /** The same for (a, b) and (b, a). */
    int pairFingerprint(long a, long b) {
        ByteBuffer input = ByteBuffer.allocate(17).put(PAIR_DOMAIN).putLong(Math.min(a, b)).putLong(Math.max(a, b));
        return (int) hash.hash(input.array());
    }

    static int valueFingerprint(long valueHash) {
        return (int) valueHash;
    }
}
