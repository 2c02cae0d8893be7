package org.sluice.proxy.gateway;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of forwarded bodies: the {@code reqSha256} audit field, lower-case hex like the policy hash. */
final class RequestDigests {
    private static final HexFormat HEX = HexFormat.of();
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
        return HEX.formatHex(bytes);
    }
}
