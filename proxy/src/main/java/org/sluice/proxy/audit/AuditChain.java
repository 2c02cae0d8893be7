package org.sluice.proxy.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HexFormat;

/**
 * The audit log's hash chain, the one definition the writer and {@code audit verify} share.
 *
 * <p>Every line ends with {@code ,"prev":"<64 hex>","hash":"<64 hex>"}}: {@code prev} is the previous record's
 * {@code hash}, and {@code hash} is the SHA-256 of the line's <em>canonical bytes</em>: the line as written,
 * without its newline, with the final {@code ,"hash":"..."} removed, so that it ends with the {@code }} that
 * follows {@code prev}. A string value can never contain that marker unescaped, so the last occurrence of
 * {@link #HASH_MARKER} in a line is where its hash field starts.
 *
 * <p>The chain starts at {@link #genesis(String)} of the node's id and runs across rotated files. A checkpoint
 * record signs, with Ed25519, the {@code prev} it carries (the hash of the record before it), which commits to
 * every record up to there.
 */
public final class AuditChain {

    /** What precedes a line's hash; its last occurrence in a line starts the hash field. */
    public static final String HASH_MARKER = ",\"hash\":\"";
    /** Length of a hex SHA-256. */
    public static final int HASH_CHARS = 64;

    private static final byte[] MARKER_BYTES = HASH_MARKER.getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();
    private static final String GENESIS_PREFIX = "sluice-audit-genesis:";
    private static final String CHECKPOINT_PREFIX = "sluice-audit-checkpoint:";

    private AuditChain() {}

    /** The {@code prev} of the very first record a node writes. */
    public static String genesis(String node) {
        return hex(sha256().digest((GENESIS_PREFIX + node).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The hash of the record whose canonical bytes are {@code line[from, to)} followed by '}' (callers pass the
     * line up to where its hash field starts).
     */
    public static String hash(byte[] line, int from, int to) {
        MessageDigest digest = sha256();
        digest.update(line, from, to - from);
        digest.update((byte) '}');
        return hex(digest.digest());
    }

    /** Index in line[from, to) where the last {@link #HASH_MARKER} starts, or -1 when there is none. */
    public static int hashFieldStart(byte[] line, int from, int to) {
        for (int i = to - MARKER_BYTES.length; i >= from; i--) {
            if (regionEquals(line, i)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionEquals(byte[] line, int at) {
        for (int j = 0; j < MARKER_BYTES.length; j++) {
            if (line[at + j] != MARKER_BYTES[j]) {
                return false;
            }
        }
        return true;
    }

    /** The bytes a checkpoint's signature covers: a fixed prefix and the hash it vouches for. */
    static byte[] checkpointMessage(String prev) {
        return (CHECKPOINT_PREFIX + prev).getBytes(StandardCharsets.US_ASCII);
    }

    /** Ed25519 signature of a checkpoint whose {@code prev} is prev. */
    public static byte[] sign(PrivateKey key, String prev) throws GeneralSecurityException {
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(key);
        signature.update(checkpointMessage(prev));
        return signature.sign();
    }

    /** True when sig is key's signature of a checkpoint whose {@code prev} is prev. */
    public static boolean verify(PublicKey key, String prev, byte[] sig) throws GeneralSecurityException {
        Signature signature = Signature.getInstance("Ed25519");
        signature.initVerify(key);
        signature.update(checkpointMessage(prev));
        return signature.verify(sig);
    }

    /** A short id for a public key, written in checkpoints: the first 16 hex digits of SHA-256 of its encoding. */
    public static String keyId(PublicKey key) {
        return hex(sha256().digest(key.getEncoded())).substring(0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
