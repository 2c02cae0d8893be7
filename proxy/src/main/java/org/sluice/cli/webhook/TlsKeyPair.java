package org.sluice.cli.webhook;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sluice.policy.config.KeyPairCheck;

/**
 * A PEM certificate chain (leaf first) and the unencrypted PKCS#8 key of its leaf, parsed and checked to belong
 * together: a key of another certificate would build a TLS context that fails every handshake, which, for an
 * admission webhook with failurePolicy Fail, means no pod is admitted.
 */
record TlsKeyPair(PrivateKey key, List<X509Certificate> chain) {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern ANY_KEY = Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----");

    /** Why a certificate file and key file cannot be used, in words naming the file at fault. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }

    TlsKeyPair {
        chain = List.copyOf(chain);
    }

    /** Parses and checks both files' bytes; the paths are for the messages only. */
    static TlsKeyPair parse(Path certificateFile, byte[] certificatePem, Path keyFile, byte[] keyPem)
            throws Unusable {
        List<X509Certificate> chain = certificates(certificateFile, certificatePem);
        PrivateKey key = key(keyFile, keyPem, chain.get(0).getPublicKey().getAlgorithm());
        if (!belongTogether(keyFile, key, chain.get(0).getPublicKey())) {
            throw new Unusable(keyFile + ": the key does not belong to the certificate in " + certificateFile
                    + " (" + describe(chain.get(0)) + ")");
        }
        return new TlsKeyPair(key, chain);
    }

    X509Certificate leaf() {
        return chain.get(0);
    }

    /** Subject, serial and expiry of a certificate, for the log. */
    static String describe(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName() + ", serial "
                + HexFormat.of().formatHex(certificate.getSerialNumber().toByteArray()) + ", expires "
                + certificate.getNotAfter().toInstant();
    }

    private static List<X509Certificate> certificates(Path file, byte[] pem) throws Unusable {
        List<X509Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))
                    .stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            throw new Unusable(file + ": not a PEM certificate chain (" + e.getMessage() + ")");
        }
        if (chain.isEmpty()) {
            throw new Unusable(file + ": holds no certificate");
        }
        return chain;
    }

    private static PrivateKey key(Path file, byte[] pem, String algorithm) throws Unusable {
        String text = new String(pem, StandardCharsets.US_ASCII);
        Matcher pkcs8 = PKCS8.matcher(text);
        if (!pkcs8.find()) {
            Matcher other = ANY_KEY.matcher(text);
            throw new Unusable(file + (other.find()
                    ? ": is a '" + other.group(1) + "PRIVATE KEY'; the webhook needs an unencrypted PKCS#8 key "
                            + "('BEGIN PRIVATE KEY': openssl pkcs8 -topk8 -nocrypt, or cert-manager's "
                            + "privateKey.encoding: PKCS8)"
                    : ": holds no PEM private key ('-----BEGIN PRIVATE KEY-----')"));
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pkcs8.group(1));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new Unusable(file + ": not a readable " + algorithm + " key, as the certificate's is ("
                    + e.getMessage() + ")");
        }
    }

    /**
     * Whether the key signs what the certificate's public key verifies. A key that cannot sign, or whose signature
     * does not verify, does not belong; only an algorithm the JDK cannot sign with is a problem of its own.
     */
    private static boolean belongTogether(Path keyFile, PrivateKey key, PublicKey certificateKey)
            throws Unusable {
        try {
            return KeyPairCheck.belongTogether(key, certificateKey);
        } catch (NoSuchAlgorithmException e) {
            throw new Unusable(keyFile + ": cannot check a " + certificateKey.getAlgorithm() + " key against its "
                    + "certificate; use an RSA, EC or EdDSA key");
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
