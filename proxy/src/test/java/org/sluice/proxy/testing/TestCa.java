package org.sluice.proxy.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;

/**
 * A throwaway certificate authority and one server certificate it issued for {@code localhost} and
 * {@code 127.0.0.1}: the server side as a PKCS12 key store (WireMock's HTTPS port), the CA as a PEM file
 * (Sluice's {@code caFile}).
 */
public final class TestCa {

    public static final String KEY_STORE_PASSWORD = "sluice-test";

    private final X509Bundle ca;
    private final Path caPem;
    private final Path serverKeyStore;

    private TestCa(X509Bundle ca, Path caPem, Path serverKeyStore) {
        this.ca = ca;
        this.caPem = caPem;
        this.serverKeyStore = serverKeyStore;
    }

    /** Creates the CA and the server certificate and writes ca.pem and server.p12 into the folder. */
    public static TestCa create(Path folder) throws Exception {
        X509Bundle ca = new CertificateBuilder()
                .subject("CN=Sluice Test CA")
                .setIsCertificateAuthority(true)
                .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign, CertificateBuilder.KeyUsage.cRLSign)
                .buildSelfSigned();
        Path caPem = folder.resolve("ca.pem");
        Files.writeString(caPem, ca.getCertificatePEM(), StandardCharsets.US_ASCII);
        Path serverKeyStore = folder.resolve("server.p12");
        writeKeyStore(issue(ca, "CN=localhost", "localhost", "127.0.0.1"), serverKeyStore);
        return new TestCa(ca, caPem, serverKeyStore);
    }

    /**
     * Same, in a new temporary folder deleted when the JVM exits: for a static field, which is set before JUnit
     * can inject a {@code @TempDir}.
     */
    public static TestCa createInTemporaryFolder() {
        try {
            Path folder = Files.createTempDirectory("sluice-ca-");
            folder.toFile().deleteOnExit();
            TestCa ca = create(folder);
            // Registered after the folder, so deleted before it.
            ca.caPem.toFile().deleteOnExit();
            ca.serverKeyStore.toFile().deleteOnExit();
            return ca;
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test CA", e);
        }
    }

    /**
     * A key store with a certificate from this CA that names only {@code dnsName} (no IP address): a server
     * that is trusted but is not the host a client asked for.
     */
    public Path keyStoreFor(String dnsName, Path file) throws Exception {
        writeKeyStore(issue(ca, "CN=" + dnsName, dnsName, null), file);
        return file;
    }

    /** A client certificate and key (mutual TLS) this CA issued. */
    public record ClientPair(Path cert, Path key) { }

    /** Writes {@code name}.pem (certificate) and {@code name}-key.pem (PKCS#8 key) issued by this CA. */
    public ClientPair clientCertificate(Path folder, String name) throws Exception {
        X509Bundle client = new CertificateBuilder()
                .subject("CN=" + name)
                .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
                .addExtendedKeyUsageClientAuth()
                .buildIssuedBy(ca);
        Path cert = folder.resolve(name + ".pem");
        Path key = folder.resolve(name + "-key.pem");
        Files.writeString(cert, client.getCertificatePEM(), StandardCharsets.US_ASCII);
        Files.writeString(key, client.getPrivateKeyPEM(), StandardCharsets.US_ASCII);
        return new ClientPair(cert, key);
    }

    /** Writes {@code name}.pem (certificate for localhost and 127.0.0.1) and {@code name}-key.pem (PKCS#8 key). */
    public ClientPair serverPem(Path folder, String name) throws Exception {
        return serverPem(folder, name, "CN=localhost");
    }

    /** Same, with another subject (an X.500 name such as {@code CN=localhost, O=renewed}): a renewed certificate. */
    public ClientPair serverPem(Path folder, String name, String subject) throws Exception {
        X509Bundle server = issue(ca, subject, "localhost", "127.0.0.1");
        Path cert = folder.resolve(name + ".pem");
        Path key = folder.resolve(name + "-key.pem");
        Files.writeString(cert, server.getCertificatePEM(), StandardCharsets.US_ASCII);
        Files.writeString(key, server.getPrivateKeyPEM(), StandardCharsets.US_ASCII);
        return new ClientPair(cert, key);
    }

    /** A PKCS12 trust store holding only this CA, password {@value #KEY_STORE_PASSWORD}: for a server's client auth. */
    public Path trustStore(Path file) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setCertificateEntry("ca", ca.getCertificate());
        try (OutputStream out = Files.newOutputStream(file)) {
            keyStore.store(out, KEY_STORE_PASSWORD.toCharArray());
        }
        return file;
    }

    private static X509Bundle issue(X509Bundle ca, String subject, String dnsName, String ipAddress)
            throws Exception {
        CertificateBuilder builder = new CertificateBuilder()
                .subject(subject)
                .addSanDnsName(dnsName)
                .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
                .addExtendedKeyUsageServerAuth();
        if (ipAddress != null) {
            builder.addSanIpAddress(ipAddress);
        }
        return builder.buildIssuedBy(ca);
    }

    private static void writeKeyStore(X509Bundle server, Path file) throws Exception {
        KeyStore keyStore = server.toKeyStore("PKCS12", KEY_STORE_PASSWORD.toCharArray());
        try (OutputStream out = Files.newOutputStream(file)) {
            keyStore.store(out, KEY_STORE_PASSWORD.toCharArray());
        }
    }

    /** PEM of the CA certificate, for Sluice's {@code caFile}. */
    public Path caPem() {
        return caPem;
    }

    /** PKCS12 key store holding the server's key and certificate chain, password {@value #KEY_STORE_PASSWORD}. */
    public Path serverKeyStore() {
        return serverKeyStore;
    }

    /** A client context that trusts this CA only. */
    public SSLContext clientContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
        return context;
    }
}
