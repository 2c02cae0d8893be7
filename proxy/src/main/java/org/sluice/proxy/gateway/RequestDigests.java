package org.sluice.proxy.gateway;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of forwarded bodies: the {@code reqSha256} audit field. */
final class RequestDigests {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** SHA-256 of nothing: the {@code reqSha256} of a forwarded request without a body. */
    static final String EMPTY_SHA256 = hex(newSha256().digest());

    private RequestDigests() {
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
