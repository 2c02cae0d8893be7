package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * The audit signing keys as PEM files: the Ed25519 private key that signs checkpoints (PKCS#8,
 * {@code -----BEGIN PRIVATE KEY-----}) and its public key for verifiers (X.509 SubjectPublicKeyInfo,
 * {@code -----BEGIN PUBLIC KEY-----}). Every failure is an IOException whose message names the file and says what
 * is wrong with it.
 */
public final class SigningKeys {

    /** The algorithm of every audit signing key. */
    public static final String ALGORITHM = "Ed25519";

    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";
    /** PEM Ed25519 keys are about 120 bytes; a much larger file is something else. */
    private static final long MAX_BYTES = 64 * 1024;
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

    private SigningKeys() {}

    /** A new Ed25519 key pair from the JDK's generator. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java 15+ runtime has Ed25519", e);
        }
    }

    /** The Ed25519 private key in a PEM PKCS#8 file. */
    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] der = readPem(file, PRIVATE);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(file + ": not an Ed25519 private key (audit checkpoints are signed with Ed25519)", e);
        }
    }

    /**
     * The public key of an Ed25519 private key, for the keyId a checkpoint carries. The JDK has no call for this;
     * its key pair generator derives the public key from 32 random bytes, so it is handed the private key's own.
     */
    public static PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an Ed25519 private key with its bytes: " + key.getAlgorithm());
        }
        byte[] seed = ed.getBytes().get();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    if (bytes.length != seed.length) {
                        throw new IllegalStateException("the generator asked for " + bytes.length + " bytes");
                    }
                    System.arraycopy(seed, 0, bytes, 0, seed.length);
                }
            });
            KeyPair pair = generator.generateKeyPair();
            if (!Arrays.equals(pair.getPrivate().getEncoded(), key.getEncoded())) {
                throw new IllegalStateException("the JDK's Ed25519 generator does not take its key from the random "
                        + "bytes");
            }
            return pair.getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java 15+ runtime has Ed25519", e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** The Ed25519 public key in a PEM X.509 SubjectPublicKeyInfo file. */
    public static PublicKey readPublic(Path file) throws IOException {
        byte[] der = readPem(file, PUBLIC);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(file + ": not an Ed25519 public key (audit checkpoints are signed with Ed25519)", e);
        }
    }

    /**
     * Writes a key pair as two new PEM files, the private one readable by its owner only (0600 where the file
     * system has POSIX permissions). Refuses, with FileAlreadyExistsException and nothing written, when either file
     * exists.
     */
    public static void write(KeyPair pair, Path privateFile, Path publicFile) throws IOException {
        for (Path file : new Path[] {privateFile, publicFile}) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(file.toString(), null, "already exists; not overwritten");
            }
        }
        createWith(privateFile, pem(PRIVATE, pair.getPrivate().getEncoded()), true);
        try {
            createWith(publicFile, pem(PUBLIC, pair.getPublic().getEncoded()), false);
        } catch (IOException e) {
            Files.deleteIfExists(privateFile); // half a pair is of no use and the next try would refuse it
            throw e;
        }
    }

    /** PEM text: the DER in base64 lines of 64 characters between BEGIN and END lines. */
    static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static void createWith(Path file, String text, boolean secret) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attributes = secret && posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE)}
                : new FileAttribute<?>[0];
        // CREATE_NEW: never truncate or write through an existing file, even one that appeared after the check.
        try (SeekableByteChannel out = Files.newByteChannel(file,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
        if (secret && posix) {
            Files.setPosixFilePermissions(file, OWNER_READ_WRITE); // in case a umask or ACL widened it
        }
    }

    private static byte[] readPem(Path file, String type) throws IOException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IOException(file + ": too large to be a PEM " + type.toLowerCase(Locale.ROOT));
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            if (type.equals(PUBLIC) && text.contains("PRIVATE KEY-----")) {
                throw new IOException(file + ": it holds a private key; pass the public key (" + begin + "), which "
                        + "is all that checking signatures needs");
            }
            throw new IOException(file + ": not a PEM " + type.toLowerCase(Locale.ROOT) + " (expected "
                    + begin + " ... " + end + ")");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": garbled PEM: its base64 does not decode", e);
        }
    }
}
