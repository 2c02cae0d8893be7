package org.sluice.policy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Checks, while the config is read, that {@code audit.signing.keyFile} holds an Ed25519 private key in PEM
 * (PKCS#8), so that a bad key is a positioned config error rather than a failure after start. The proxy reads the
 * key for use with its own SigningKeys; this only says what is wrong.
 */
final class SigningKeyFile {

    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";
    /** A PEM Ed25519 key is about 120 bytes; anything far larger is not one. */
    private static final long MAX_BYTES = 64 * 1024;
    private static final String MAKE_ONE = "; ./sluice audit keygen makes one";

    private SigningKeyFile() {}

    /** Null when file holds a usable Ed25519 private key; otherwise what is wrong, in one sentence. */
    static String problem(Path file) {
        String text;
        try {
            if (!Files.isRegularFile(file)) {
                return "no such file '" + file + "' (a relative name is read from the config file's folder)"
                        + MAKE_ONE;
            }
            if (Files.size(file) > MAX_BYTES) {
                return "'" + file + "' is too large to be a PEM private key" + MAKE_ONE;
            }
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "no such file '" + file + "'" + MAKE_ONE;
        } catch (AccessDeniedException e) {
            return "cannot read '" + file + "': permission denied";
        } catch (IOException e) {
            return "cannot read '" + file + "': " + e.getMessage();
        }
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            return "'" + file + "' is not a PEM private key (expected " + BEGIN + " ... " + END + ")" + MAKE_ONE;
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            return "'" + file + "' is not a PEM private key: its base64 is garbled" + MAKE_ONE;
        }
        try {
            KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            return null;
        } catch (GeneralSecurityException | RuntimeException e) {
            return "'" + file + "' is not an Ed25519 private key (checkpoints are signed with Ed25519)" + MAKE_ONE;
        }
    }
}
