package org.sluice.cli.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.cli.inject.InjectSettings;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.proxy.reload.WatchedFiles;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.LogCapture;
import org.sluice.proxy.testing.TestCa;

/**
 * The running webhook picks up a renewed certificate and an edited policy from disk, laid out as the kubelet mounts
 * a Secret ({@code tls.crt -> ..data/tls.crt}, {@code ..data -> ..<timestamp>}), and keeps what is in force when the
 * new files cannot be used.
 */
class WebhookReloadTest {

    private static final Path FIXTURES = Path.of("src/test/resources/webhook");
    private static final Path BASE_POLICY = Path.of("../deploy/k8s/base/sluice.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Debounce and poll are well under a second; this only bounds a failure. */
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path folder;

    private TestCa ca;
    private Path secret;
    private int secretVersion;
    private Path policy;
    private ServingTls tls;
    private WebhookPolicy admission;
    private WebhookServer server;
    private WatchedFiles tlsFiles;
    private WatchedFiles policyFile;
    private LogCapture tlsLog;
    private LogCapture policyLog;
    /** For reviews; a new TLS connection is made with {@link #served} instead. */
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        tlsLog = LogCapture.withInfo(ServingTls.class);
        policyLog = LogCapture.withInfo(WebhookPolicy.class);
        ca = TestCa.create(folder);
        secret = Files.createDirectory(folder.resolve("tls"));
        TestCa.ClientPair first = ca.serverPem(folder, "first", "CN=localhost, O=first");
        mountSecret(Files.readString(first.cert()), Files.readString(first.key()));
        Path cert = Files.createSymbolicLink(secret.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Path key = Files.createSymbolicLink(secret.resolve("tls.key"), Path.of("..data/tls.key"));
        policy = Files.createDirectory(folder.resolve("policy")).resolve("sluice.yaml");
        Files.copy(BASE_POLICY, policy);

        tls = ServingTls.load(cert, key);
        admission = new WebhookPolicy(ConfigLoader.load(policy), InjectSettings.defaults());
        server = WebhookServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tls::current,
                admission::reviews);
        tlsFiles = WatchedFiles.start("test tls", List.of(cert, key), tls::reload);
        policyFile = WatchedFiles.start("test policy", List.of(policy), admission::reload);
        client = HttpClient.newBuilder().sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        for (AutoCloseable each : new AutoCloseable[] {policyFile, tlsFiles, server, policyLog, tlsLog}) {
            if (each != null) {
                try {
                    each.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** What the kubelet does on a Secret update: a new timestamped folder, then ..data renamed onto it at once. */
    private void mountSecret(String certPem, String keyPem) throws IOException {
        Path version = Files.createDirectory(secret.resolve("..2026_11_23_18_00_00." + ++secretVersion));
        Files.writeString(version.resolve("tls.crt"), certPem, StandardCharsets.US_ASCII);
        Files.writeString(version.resolve("tls.key"), keyPem, StandardCharsets.US_ASCII);
        Path tmp = Files.createSymbolicLink(secret.resolve("..data_tmp"), version.getFileName());
        Files.move(tmp, secret.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static X509Certificate pemCertificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** The leaf certificate a new connection is served (a fresh client context: no session to resume). */
    private X509Certificate served() {
        try (SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory().createSocket("127.0.0.1",
                server.address().getPort())) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitServed(X509Certificate expected) {
        Await.until(this::served, expected::equals, WAIT, "new connections to be served "
                + expected.getSubjectX500Principal());
    }

    /** Whether the webhook's answer to the fixture at {@code path} allows it. */
    private boolean allows(String path, String fixture) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + server.address().getPort() + path))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofFile(FIXTURES.resolve(fixture))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode answer = JSON.readTree(response.body()).path("response");
            assertThat(answer.path("allowed").isBoolean()).as(response.body()).isTrue();
            return answer.path("allowed").asBoolean();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces the policy file by a rename, as an editor or {@code kubectl cp} does. */
    private void writePolicy(String yaml) throws IOException {
        Path next = Files.writeString(policy.resolveSibling("sluice.yaml.tmp"), yaml);
        Files.move(next, policy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The base policy with its algorithms section replaced. */
    private static String baseWithAlgorithms(String algorithms) throws IOException {
        String base = Files.readString(BASE_POLICY);
        return base.substring(0, base.indexOf("\nalgorithms:") + 1) + algorithms;
    }

    private static void awaitLine(LogCapture log, String fragment) {
        Await.until(log::lines, lines -> lines.stream().anyMatch(line -> line.contains(fragment)), WAIT,
                "a log line with '" + fragment + "'");
    }

    @Test
    void aRenewedCertificateIsServedToNewConnections() throws Exception {
        X509Certificate first = served();
        assertThat(first.getSubjectX500Principal().getName()).isEqualTo("CN=localhost,O=first");
        TestCa.ClientPair renewed = ca.serverPem(folder, "renewed", "CN=localhost, O=renewed");
        X509Certificate expected = pemCertificate(renewed.cert());

        mountSecret(Files.readString(renewed.cert()), Files.readString(renewed.key()));

        awaitServed(expected);
        assertThat(expected.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        awaitLine(tlsLog, "TLS certificate reloaded (");
        assertThat(tlsLog.lines()).singleElement().asString().contains(") from " + secret.resolve("tls.crt")
                + ": CN=localhost,O=renewed, serial ").endsWith("; new connections use it");
        assertThat(tlsLog.warnings()).isEmpty();
        assertThat(allows("/mutate", "allowed-pod.json")).as("reviews over the new certificate").isTrue();
    }

    @Test
    void aConnectionOpenBeforeTheRenewalKeepsWorking() throws Exception {
        try (SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory().createSocket("127.0.0.1",
                server.address().getPort())) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            TestCa.ClientPair renewed = ca.serverPem(folder, "renewed", "CN=localhost, O=renewed");
            mountSecret(Files.readString(renewed.cert()), Files.readString(renewed.key()));
            awaitServed(pemCertificate(renewed.cert()));

            OutputStream out = socket.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);

            assertThat(response).startsWith("HTTP/1.1 200 OK").endsWith("ok\n");
        }
    }

    @Test
    void anUnusableCertificateLeavesTheOneInForceAndSaysWhy() throws Exception {
        X509Certificate first = served();
        String firstKey = Files.readString(secret.resolve("tls.key"));

        mountSecret("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", firstKey);

        awaitLine(tlsLog, "): " + secret.resolve("tls.crt") + ": not a PEM certificate chain");
        assertThat(tlsLog.warnings()).hasSize(1).allSatisfy(line -> assertThat(line)
                .endsWith("; the certificate in force stays: " + TlsKeyPair.describe(first)).doesNotContain("\n"));
        assertThat(served()).isEqualTo(first);

        // A certificate with the key of another one: it would build, and fail every handshake.
        TestCa.ClientPair renewed = ca.serverPem(folder, "renewed", "CN=localhost, O=renewed");
        mountSecret(Files.readString(renewed.cert()), firstKey);

        awaitLine(tlsLog, secret.resolve("tls.key") + ": the key does not belong to the certificate in "
                + secret.resolve("tls.crt"));
        assertThat(served()).isEqualTo(first);
        assertThat(allows("/mutate", "allowed-pod.json")).isTrue();

        // The renewal done right is still taken.
        mountSecret(Files.readString(renewed.cert()), Files.readString(renewed.key()));
        awaitServed(pemCertificate(renewed.cert()));
        assertThat(tlsLog.warnings()).hasSize(2);
    }

    @Test
    void anEditedAlgorithmsListDecidesTheFollowingReviews() throws Exception {
        String baseSha256 = admission.sha256();
        assertThat(allows("/mutate", "allowed-pod.json")).isTrue();
        assertThat(allows("/mutate", "refused-image.json")).isFalse();

        // Now only average:latest, by tag: the image refused so far is allowed, the one allowed is refused.
        writePolicy(baseWithAlgorithms("""
                algorithms:
                  requireDigest: false
                  allow:
                    - image: registry.example.org/algorithms/average:latest
                """));

        Await.until(() -> allows("/mutate", "refused-image.json"), WAIT, "the edited policy to allow average:latest");
        assertThat(allows("/mutate", "allowed-pod.json")).isFalse();
        awaitLine(policyLog, ") from " + policy + ": sha256 " + baseSha256 + " -> ");

        writePolicy(Files.readString(BASE_POLICY));

        Await.until(() -> allows("/mutate", "allowed-pod.json"), WAIT, "the base policy to allow the pinned image");
        assertThat(allows("/mutate", "refused-image.json")).isFalse();
        assertThat(policyLog.warnings()).isEmpty();
    }

    @Test
    void anInvalidOrMissingPolicyKeepsTheDecisionsInForce() throws Exception {
        String inForce = admission.sha256();

        writePolicy(baseWithAlgorithms("""
                algorithms:
                  requireDigest: maybe
                  allow:
                    - image: registry.example.org/algorithms/average:latest
                """));

        awaitLine(policyLog, "): invalid (sha256 ");
        assertThat(policyLog.warnings()).hasSize(1).allSatisfy(line -> assertThat(line)
                .startsWith("webhook policy NOT reloaded (").contains(policy + ":30:18: ").contains("requireDigest")
                .endsWith("; policy sha256 " + inForce + " stays in force").doesNotContain("\n"));
        assertThat(admission.sha256()).isEqualTo(inForce);
        assertThat(allows("/mutate", "allowed-pod.json")).isTrue();
        assertThat(allows("/mutate", "refused-image.json")).isFalse();

        Files.delete(policy);

        awaitLine(policyLog, "): cannot read " + policy + ": no such file; policy sha256 " + inForce
                + " stays in force");
        assertThat(allows("/mutate", "allowed-pod.json")).isTrue();
        assertThat(allows("/mutate", "refused-image.json")).isFalse();
        assertThat(policyLog.warnings()).hasSize(2);
    }

    @Test
    void aPolicyNoPodCouldRunKeepsTheOneInForceAndSaysWhy() throws Exception {
        String inForce = admission.sha256();

        writePolicy(Files.readString(BASE_POLICY).replace("listen: 0.0.0.0:9090", "listen: 127.0.0.1:9090"));

        awaitLine(policyLog, ": cannot be injected: admin.listen 127.0.0.1:9090: the kubelet's probes");
        assertThat(policyLog.warnings()).hasSize(1).allSatisfy(line -> assertThat(line)
                .endsWith("; policy sha256 " + inForce + " stays in force"));
        assertThat(admission.sha256()).isEqualTo(inForce);
        assertThat(allows("/mutate", "allowed-pod.json")).isTrue();
    }
}
