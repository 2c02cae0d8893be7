package org.sluice.policy.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the mutual-TLS pair at load time, so that a wrong file is a positioned config error instead of a
 * failed handshake later: the certificate is PEM X.509, the key is unencrypted PKCS#8 PEM, and the key signs
 * what the certificate's public key verifies.
 */
final class ClientCertificates {

    static final String CERT = "gateway.upstream.clientCert";
    static final String KEY = "gateway.upstream.clientKey";

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private ClientCertificates() {}

    /** Null when the pair is usable, else a one-sentence problem starting with the key it is about. */
    static String check(Path certFile, Path keyFile) {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certFile)) {
            Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (chain.isEmpty()) {
                return CERT + ": no certificate in '" + certFile + "'; expected a PEM file starting with "
                        + "-----BEGIN CERTIFICATE-----";
            }
            cert = (X509Certificate) chain.iterator().next();
        } catch (IOException e) {
            return CERT + ": cannot read '" + certFile + "': " + e.getMessage();
        } catch (GeneralSecurityException e) {
            return CERT + ": '" + certFile + "' is not a PEM certificate: " + e.getMessage();
        }
        String pem;
        try {
            pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return KEY + ": cannot read '" + keyFile + "': " + e.getMessage();
        }
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            return KEY + ": '" + keyFile + "' is not an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----); "
                    + "convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8";
        }
        PublicKey publicKey = cert.getPublicKey();
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            PrivateKey key = KeyFactory.getInstance(publicKey.getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
            return KeyPairCheck.belongTogether(key, publicKey) ? null
                    : KEY + ": the key in '" + keyFile + "' does not belong to the certificate in clientCert";
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return KEY + ": the key in '" + keyFile + "' is not a " + publicKey.getAlgorithm() + " key like the "
                    + "certificate's: " + e.getMessage();
        }
    }
}
