package org.sluice.policy.fingerprint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The salted hashes of an index: of a normalised value, and of an unordered pair of value hashes. */
final class ValueHasher {

    /** The first byte of a value hash's input; a scanner writes it before the value's bytes. */
    static final byte VALUE_DOMAIN = 0;
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

    /** The value hash of {@code length} bytes that start with {@link #VALUE_DOMAIN} and go on with the value's UTF-8. */
    long valueHash(byte[] domainAndValue, int length) {
        return hash.hash(domainAndValue, 0, length);
    }

    /** The same for (a, b) and (b, a). */
    int pairFingerprint(long a, long b) {
        return (int) pairHash(a, b);
    }

    /** The 64-bit hash a pair fingerprint is cut from: also a row's key in a request's findings. */
    long pairHash(long a, long b) {
        return hash.hash17(PAIR_DOMAIN, Math.min(a, b), Math.max(a, b));
    }

    /** The pair hash the way it was first written (through a buffer): the reference {@link #pairHash} is tested on. */
    long pairHashThroughBytes(long a, long b) {
        ByteBuffer input = ByteBuffer.allocate(17).put(PAIR_DOMAIN).putLong(Math.min(a, b)).putLong(Math.max(a, b));
        return hash.hash(input.array());
    }

    static int valueFingerprint(long valueHash) {
        return (int) valueHash;
    }
}
