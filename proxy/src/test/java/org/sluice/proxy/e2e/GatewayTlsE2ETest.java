package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.HttpBytes;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestCa;
import org.sluice.proxy.testing.TestSluice;

/** The central server over https: trusted through caFile, with the host name verified. */
class GatewayTlsE2ETest {

    private static final String RULES = """
            rules:
              - name: central-api
                methods: [GET, POST]
                paths: ["/api/**"]
            """;

    @TempDir
    static Path folder;

    private static final TestCa ca = TestCa.createInTemporaryFolder();

    @RegisterExtension
    static final WireMockExtension central = CentralServer.https(ca.serverKeyStore(),
            aResponse().withStatus(200).withBody("over tls"));

    @Test
    void getAndPostArriveByteExactOverHttpsToAnIpAddress() throws Exception {
        try (TestSluice sluice = TestSluice.start(tlsYaml(CentralServer.httpsUrl(central, "127.0.0.1")))) {
            byte[] body = HttpBytes.randomBytes(200_000, 21);
            RawResponse post = RawHttpConnection.exchange(sluice.gatewayPort(), HttpBytes.request(
                    "POST /api/secure HTTP/1.1\r\nHost: sluice\r\nContent-Length: " + body.length + "\r\n\r\n", body));
            RawResponse get = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/secure?x=1 HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertThat(post.status()).isEqualTo(200);
            assertThat(post.bodyText()).isEqualTo("over tls");
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.header("X-Sluice-Request-Id")).isNotBlank();
            List<LoggedRequest> received = CentralServer.received(central);
            assertThat(received).hasSize(2);
            assertThat(received.get(0).getBody()).isEqualTo(body);
            assertThat(received.get(0).getHeader("Host")).isEqualTo("127.0.0.1:" + central.getHttpsPort());
            assertThat(received.get(0).getScheme()).isEqualTo("https");
            assertThat(received.get(1).getUrl()).isEqualTo("/api/secure?x=1");
            assertThat(received.get(1).getHeader("X-Sluice-Request-Id")).isEqualTo(get.header("X-Sluice-Request-Id"));
        }
    }

    @Test
    void httpsToAHostNameIsVerifiedAgainstTheCertificate() throws Exception {
        try (TestSluice sluice = TestSluice.start(tlsYaml(CentralServer.httpsUrl(central, "localhost")))) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/by-name HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("over tls");
            assertThat(CentralServer.received(central)).singleElement()
                    .satisfies(seen -> assertThat(seen.getHeader("Host")).isEqualTo("localhost:" + central.getHttpsPort()));
        }
    }

    @Test
    void aServerTheTrustStoreDoesNotTrustGets502AndNoRequest() throws Exception {
        // No caFile: the JDK trust store does not know the test CA.
        String yaml = TestSluice.gatewayYaml(CentralServer.httpsUrl(central, "127.0.0.1"), RULES);
        try (TestSluice sluice = TestSluice.start(yaml)) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/untrusted HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertUpstreamFailed(response);
            central.verify(0, anyRequestedFor(anyUrl()));
            Map<String, Object> record = sluice.awaitAudit(1).get(0);
            assertThat(record).containsEntry("status", 502L).containsEntry("error", "upstream_failed");
        }
    }

    @Test
    void aTrustedCertificateForAnotherHostGets502AndNoRequest() throws Exception {
        WireMockServer impostor = CentralServer.startHttps(ca.keyStoreFor("central.other.test", folder.resolve("other.p12")));
        try (TestSluice sluice = TestSluice.start(tlsYaml("https://127.0.0.1:" + impostor.httpsPort()))) {
            impostor.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("impostor")));

            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/impostor HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertUpstreamFailed(response);
            assertThat((String) response.json().get("reason")).startsWith("the TLS handshake with the central server "
                    + "127.0.0.1:" + impostor.httpsPort() + " failed").containsIgnoringCase("subject alternative name");
            impostor.verify(0, anyRequestedFor(anyUrl()));
        } finally {
            impostor.stop();
        }
    }

    @Test
    void aServerWithACertificateFromAnotherCaThanCaFileGets502AndNoRequest() throws Exception {
        // Trusted by a CA, just not the one caFile pins: caFile replaces the JDK's trust store, it does not add to it.
        TestCa otherCa = TestCa.create(Files.createDirectories(folder.resolve("other-ca")));
        WireMockServer stranger = CentralServer.startHttps(otherCa.serverKeyStore());
        try (TestSluice sluice = TestSluice.start(tlsYaml("https://127.0.0.1:" + stranger.httpsPort()))) {
            stranger.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("stranger")));

            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/stranger HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertUpstreamFailed(response);
            assertThat((String) response.json().get("reason")).startsWith("the TLS handshake with the central server "
                    + "127.0.0.1:" + stranger.httpsPort() + " failed: PKIX path");
            stranger.verify(0, anyRequestedFor(anyUrl()));
        } finally {
            stranger.stop();
        }
    }

    @Test
    void aPinnedServerKeyIsAccepted() throws Exception {
        String pins = "[\"" + ZERO_PIN + "\", \"" + serverPin() + "\"]";
        try (TestSluice sluice = TestSluice.start(pinnedYaml(pins))) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/pinned HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("over tls");
            assertThat(CentralServer.received(central)).singleElement()
                    .satisfies(seen -> assertThat(seen.getUrl()).isEqualTo("/api/pinned"));
        }
    }

    @Test
    void aValidCertificateWhoseKeyIsNotPinnedGets502NamingThePinAndNoRequest() throws Exception {
        try (TestSluice sluice = TestSluice.start(pinnedYaml("[\"" + ZERO_PIN + "\"]"))) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "POST /api/pinned HTTP/1.1\r\nHost: sluice\r\nContent-Length: 5\r\n\r\nhello");

            assertUpstreamFailed(response);
            assertThat((String) response.json().get("reason"))
                    .contains("the central server's certificate does not match pinSha256");
            central.verify(0, anyRequestedFor(anyUrl()));
            Map<String, Object> record = sluice.awaitAudit(1).get(0);
            assertThat(record).containsEntry("status", 502L).containsEntry("error", "upstream_failed");
            assertThat((String) record.get("reason")).contains("does not match pinSha256");
        }
    }

    /** An all-zero hash: no key hashes to it. */
    private static final String ZERO_PIN = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    private String pinnedYaml(String pins) {
        return TestSluice.gatewayYaml("\n    url: " + CentralServer.httpsUrl(central, "127.0.0.1") + "\n    caFile: "
                + ca.caPem() + "\n    pinSha256: " + pins, RULES);
    }

    /** Computed here from the key store, independently of Sluice's code: base64(SHA-256(SubjectPublicKeyInfo)). */
    private static String serverPin() throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ca.serverKeyStore())) {
            keyStore.load(in, TestCa.KEY_STORE_PASSWORD.toCharArray());
        }
        Certificate leaf = keyStore.getCertificate(keyStore.aliases().nextElement());
        return Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(leaf.getPublicKey().getEncoded()));
    }

    private String tlsYaml(String url) {
        return TestSluice.gatewayYaml("\n    url: " + url + "\n    caFile: " + ca.caPem(), RULES);
    }

    private static void assertUpstreamFailed(RawResponse response) {
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.header("X-Sluice-Error")).isEqualTo("upstream_failed");
        assertThat(response.json()).containsEntry("error", "upstream_failed");
    }
}
