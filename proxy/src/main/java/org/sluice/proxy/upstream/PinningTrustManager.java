package org.sluice.proxy.upstream;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Normal validation (chain and, through the engine's endpoint identification, the host name) by the delegate,
 * then SPKI pinning as in HPKP or curl's {@code --pinnedpubkey}: the leaf certificate's SubjectPublicKeyInfo must
 * hash to one of the pins. The exception's message becomes the handshake failure's, so it names the check.
 */
final class PinningTrustManager extends X509ExtendedTrustManager {

    static final String MISMATCH = "the central server's certificate does not match pinSha256";

    private final X509ExtendedTrustManager delegate;
    private final Set<String> pins;

    PinningTrustManager(X509ExtendedTrustManager delegate, List<String> pins) {
        this.delegate = delegate;
        this.pins = Set.copyOf(pins);
    }

    /** Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo (its public key in DER). */
    static String spkiSha256(X509Certificate certificate) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
            return Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
        checkPin(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
        checkPin(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
        checkPin(chain);
    }

    private void checkPin(X509Certificate[] chain) throws CertificateException {
        String actual = spkiSha256(chain[0]);
        if (!pins.contains(actual)) {
            throw new CertificateException(MISMATCH + " (its key hashes to " + actual + ")");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("Sluice is the client of the central server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("Sluice is the client of the central server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("Sluice is the client of the central server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
