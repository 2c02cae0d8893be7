package org.sluice.proxy.audit.read;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads an Ed25519 public key from a PEM file ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo).
 * TODO(merge): the writer's branch adds SigningKeys.readPublic(Path) for the same job; keep one.
 */
final class PemPublicKey {

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private PemPublicKey() {
    }

    /** The key in file; an IOException's message says in a few words what is wrong with the file. */
    static PublicKey read(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.ISO_8859_1);
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IOException(pem.contains("PRIVATE KEY-----")
                    ? "it holds a private key; pass the public key (-----BEGIN PUBLIC KEY-----), which is all "
                            + "verify needs"
                    : "not a PEM public key (expected a -----BEGIN PUBLIC KEY----- block)");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IOException("not an Ed25519 public key (" + e.getMessage() + ")", e);
        }
    }
}
