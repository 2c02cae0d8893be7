package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestCa;
import org.sluice.proxy.testing.TestSluice;

/** A central server that requires a client certificate (mutual TLS): Sluice presents clientCert/clientKey. */
class GatewayMutualTlsE2ETest {

    private static final String RULES = """
            rules:
              - name: central-api
                methods: [GET]
                paths: ["/api/**"]
            """;

    @TempDir
    static Path folder;

    private static TestCa ca;
    private static TestCa.ClientPair client;
    private static WireMockServer central;

    @BeforeAll
    static void startCentral() throws Exception {
        ca = TestCa.create(folder);
        client = ca.clientCertificate(folder, "node-1");
        central = CentralServer.startHttpsRequiringClientCert(ca.serverKeyStore(), ca.trustStore(folder.resolve("trust.p12")));
    }

    @AfterAll
    static void stopCentral() {
        central.stop();
    }

    @BeforeEach
    void answer() {
        central.resetAll();
        central.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("hello node")));
    }

    @Test
    void withTheConfiguredClientCertificateTheServerAnswers() throws Exception {
        String tls = "\n    clientCert: " + client.cert() + "\n    clientKey: " + client.key();
        try (TestSluice sluice = TestSluice.start(yaml(tls))) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/mtls HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("hello node");
            central.verify(1, anyRequestedFor(anyUrl()));
        }
    }

    @Test
    void withoutAClientCertificateTheServerRefusesAndSluiceAnswers502() throws Exception {
        try (TestSluice sluice = TestSluice.start(yaml(""))) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/mtls HTTP/1.1\r\nHost: sluice\r\n\r\n");

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("X-Sluice-Error")).isEqualTo("upstream_failed");
            central.verify(0, anyRequestedFor(anyUrl()));
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsAPositionedConfigError() throws Exception {
        TestCa.ClientPair other = ca.clientCertificate(folder, "node-2");
        Path file = folder.resolve("mismatch.yaml");
        Files.writeString(file, yaml("\n    clientCert: " + client.cert() + "\n    clientKey: " + other.key()));

        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":9:16: gateway.upstream.clientKey: the key in '" + other.key()
                        + "' does not belong to the certificate in clientCert");
    }

    @Test
    void aCertificateFileThatIsNotACertificateIsAPositionedConfigError() throws Exception {
        Path file = folder.resolve("not-a-cert.yaml");
        Files.writeString(file, yaml("\n    clientCert: " + client.key() + "\n    clientKey: " + client.key()));

        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":8:17: gateway.upstream.clientCert: '" + client.key()
                        + "' is not a PEM certificate");
    }

    private static String yaml(String clientTls) {
        return TestSluice.gatewayYaml("\n    url: https://127.0.0.1:" + central.httpsPort() + "\n    caFile: "
                + ca.caPem() + clientTls, RULES);
    }
}
