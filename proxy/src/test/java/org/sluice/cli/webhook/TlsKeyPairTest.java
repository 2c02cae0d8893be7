package org.sluice.cli.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which certificate and key files the webhook takes, and what it says about those it cannot use. */
class TlsKeyPairTest {

    private static final Path CERT = Path.of("/etc/sluice/tls/tls.crt");
    private static final Path KEY = Path.of("/etc/sluice/tls/tls.key");

    private static X509Bundle selfSigned(String subject, CertificateBuilder.Algorithm algorithm) throws Exception {
        // pkitesting signs only CA certificates itself; for these checks a self-signed CA is as good as a leaf.
        return new CertificateBuilder().subject(subject).algorithm(algorithm).setIsCertificateAuthority(true)
                .buildSelfSigned();
    }

    private static TlsKeyPair parse(String certificatePem, String keyPem) throws TlsKeyPair.Unusable {
        return TlsKeyPair.parse(CERT, certificatePem.getBytes(StandardCharsets.US_ASCII), KEY,
                keyPem.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void rsaAndEcPairsAreTaken() throws Exception {
        for (CertificateBuilder.Algorithm algorithm : new CertificateBuilder.Algorithm[] {
                CertificateBuilder.Algorithm.rsa2048, CertificateBuilder.Algorithm.ecp256}) {
            X509Bundle bundle = selfSigned("CN=webhook", algorithm);

            TlsKeyPair pair = parse(bundle.getCertificatePEM(), bundle.getPrivateKeyPEM());

            assertThat(pair.leaf()).as(algorithm.name()).isEqualTo(bundle.getCertificate());
            assertThat(pair.key().getEncoded()).isEqualTo(bundle.getKeyPair().getPrivate().getEncoded());
        }
    }

    @Test
    void theKeyOfAnotherCertificateIsRefused() throws Exception {
        for (CertificateBuilder.Algorithm algorithm : new CertificateBuilder.Algorithm[] {
                CertificateBuilder.Algorithm.rsa2048, CertificateBuilder.Algorithm.ecp256}) {
            X509Bundle renewed = selfSigned("CN=renewed", algorithm);
            X509Bundle old = selfSigned("CN=old", algorithm);

            assertThatThrownBy(() -> parse(renewed.getCertificatePEM(), old.getPrivateKeyPEM()))
                    .as(algorithm.name()).isInstanceOf(TlsKeyPair.Unusable.class)
                    .hasMessageStartingWith(KEY + ": the key does not belong to the certificate in " + CERT
                            + " (CN=renewed, serial ");
        }
    }

    @Test
    void aKeyOfAnotherTypeIsRefused() throws Exception {
        X509Bundle rsa = selfSigned("CN=webhook", CertificateBuilder.Algorithm.rsa2048);
        X509Bundle ec = selfSigned("CN=webhook", CertificateBuilder.Algorithm.ecp256);

        assertThatThrownBy(() -> parse(rsa.getCertificatePEM(), ec.getPrivateKeyPEM()))
                .hasMessageStartingWith(KEY + ": not a readable RSA key, as the certificate's is");
    }

    @Test
    void keysThatAreNotUnencryptedPkcs8AreRefusedWithAHint() throws Exception {
        X509Bundle bundle = selfSigned("CN=webhook", CertificateBuilder.Algorithm.rsa2048);

        assertThatThrownBy(() -> parse(bundle.getCertificatePEM(),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"))
                .hasMessage(KEY + ": is a 'RSA PRIVATE KEY'; the webhook needs an unencrypted PKCS#8 key ('BEGIN "
                        + "PRIVATE KEY': openssl pkcs8 -topk8 -nocrypt, or cert-manager's privateKey.encoding: "
                        + "PKCS8)");
        assertThatThrownBy(() -> parse(bundle.getCertificatePEM(),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n"))
                .hasMessageStartingWith(KEY + ": is a 'ENCRYPTED PRIVATE KEY'");
        assertThatThrownBy(() -> parse(bundle.getCertificatePEM(), bundle.getCertificatePEM()))
                .hasMessage(KEY + ": holds no PEM private key ('-----BEGIN PRIVATE KEY-----')");
        assertThatThrownBy(() -> parse(bundle.getCertificatePEM(),
                "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"))
                .hasMessageStartingWith(KEY + ": not a readable RSA key");
    }

    @Test
    void certificateFilesWithoutACertificateAreRefused() throws Exception {
        X509Bundle bundle = selfSigned("CN=webhook", CertificateBuilder.Algorithm.ecp256);

        assertThatThrownBy(() -> parse("", bundle.getPrivateKeyPEM()))
                .hasMessage(CERT + ": holds no certificate");
        assertThatThrownBy(() -> parse(bundle.getPrivateKeyPEM(), bundle.getPrivateKeyPEM()))
                .hasMessageStartingWith(CERT + ": not a PEM certificate chain");
    }
}
