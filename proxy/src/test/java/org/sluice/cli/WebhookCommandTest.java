package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.cli.webhook.WebhookServer;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.TestCa;
import picocli.CommandLine;

class WebhookCommandTest {

    private static final Path POLICY = Path.of("../deploy/k8s/base/sluice.yaml");
    private static final Path FIXTURES = Path.of("src/test/resources/webhook");
    private static final String NL = System.lineSeparator();

    @TempDir
    Path folder;

    @Test
    void servesHttpsUntilAskedToStopThenExitsZero() throws Exception {
        TestCa ca = TestCa.create(folder);
        TestCa.ClientPair pem = ca.serverPem(folder, "webhook");
        AtomicReference<WebhookServer> started = new AtomicReference<>();
        WebhookCommand command = new WebhookCommand(started::set);
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> exit = executeAsync(command, err, "webhook",
                "--policy", POLICY.toString(), "--tls-cert", pem.cert().toString(), "--tls-key", pem.key().toString(),
                "--address", "127.0.0.1", "--port", "0");
        Await.until(() -> started.get() != null || exit.isDone(), Duration.ofSeconds(20), "the webhook to start");
        assertThat(exit).as(err.toString()).isNotDone();
        HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext()).build();
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + started.get().address().getPort() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        command.requestStop();

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aRenewedCertificateAndAnEditedPolicyAreUsedWithoutARestart() throws Exception {
        TestCa ca = TestCa.create(folder);
        TestCa.ClientPair pem = ca.serverPem(folder, "webhook", "CN=localhost, O=first");
        Path policy = folder.resolve("sluice.yaml");
        Files.copy(POLICY, policy);
        AtomicReference<WebhookServer> started = new AtomicReference<>();
        WebhookCommand command = new WebhookCommand(started::set);
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> exit = executeAsync(command, err, "webhook",
                "--policy", policy.toString(), "--tls-cert", pem.cert().toString(), "--tls-key", pem.key().toString(),
                "--address", "127.0.0.1", "--port", "0");
        Await.until(() -> started.get() != null || exit.isDone(), Duration.ofSeconds(20), "the webhook to start");
        assertThat(exit).as(err.toString()).isNotDone();
        int port = started.get().address().getPort();
        HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext()).build();
        try {
            assertThat(servedSubject(ca, port)).isEqualTo("CN=localhost,O=first");
            assertThat(mutateAllows(client, port, "refused-image.json")).isFalse();

            // cert-manager renews: new files, renamed over the old ones (cert first, as a copy would).
            TestCa.ClientPair renewed = ca.serverPem(folder, "renewed", "CN=localhost, O=renewed");
            Files.move(renewed.cert(), pem.cert(), StandardCopyOption.REPLACE_EXISTING);
            Files.move(renewed.key(), pem.key(), StandardCopyOption.REPLACE_EXISTING);
            // The data owner allows average:latest.
            String base = Files.readString(POLICY);
            Files.writeString(policy, base.substring(0, base.indexOf("\nalgorithms:") + 1) + """
                    algorithms:
                      requireDigest: false
                      allow:
                        - image: registry.example.org/algorithms/average:latest
                    """);

            Await.until(() -> servedSubject(ca, port), "CN=localhost,O=renewed"::equals, Duration.ofSeconds(15),
                    "new connections to get the renewed certificate");
            Await.until(() -> mutateAllows(client, port, "refused-image.json"), Duration.ofSeconds(15),
                    "the edited policy to allow average:latest");
        } finally {
            command.requestStop();
        }
        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    }

    /** Runs this command instance on another thread; what it prints to stderr goes to {@code err}. */
    private static CompletableFuture<Integer> executeAsync(WebhookCommand command, StringWriter err, String... args) {
        CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == WebhookCommand.class ? type.cast(command) : CommandLine.defaultFactory().create(type);
            }
        });
        commandLine.setErr(new PrintWriter(err, true));
        return CompletableFuture.supplyAsync(() -> commandLine.execute(args));
    }

    /** The subject of the certificate a new connection is served. */
    private static String servedSubject(TestCa ca, int port) {
        try (SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                    .getName();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean mutateAllows(HttpClient client, int port, String fixture) {
        try {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/mutate"))
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofFile(FIXTURES.resolve(fixture))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return new ObjectMapper().readTree(response.body()).at("/response/allowed").asBoolean();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void whatCannotBeUsedExitsTwoBeforeListening() throws Exception {
        Path notPem = Files.writeString(folder.resolve("cert.pem"), "not a certificate\n");
        Path missing = folder.resolve("missing.yaml");

        CliResult badCert = CliResult.execute("webhook", "--policy", POLICY.toString(), "--tls-cert",
                notPem.toString(), "--tls-key", notPem.toString(), "--port", "0");
        CliResult noPolicy = CliResult.execute("webhook", "--policy", missing.toString(), "--tls-cert",
                notPem.toString(), "--tls-key", notPem.toString());
        CliResult badAddress = CliResult.execute("webhook", "--policy", POLICY.toString(), "--tls-cert",
                notPem.toString(), "--tls-key", notPem.toString(), "--address", "webhook.example.org");
        CliResult noOptions = CliResult.execute("webhook");

        assertThat(badCert.exitCode()).isEqualTo(2);
        assertThat(badCert.err()).startsWith("sluice webhook: cannot use TLS certificate " + notPem);
        assertThat(noPolicy.exitCode()).isEqualTo(2);
        assertThat(noPolicy.err()).isEqualTo("sluice: cannot read config " + missing + ": no such file" + NL);
        assertThat(badAddress.exitCode()).isEqualTo(2);
        assertThat(badAddress.err()).contains("listen on an IP address");
        assertThat(noOptions.exitCode()).isEqualTo(2);
        assertThat(noOptions.err()).contains("Missing required options");
    }

    @Test
    void aPolicyNoPodCouldRunExitsTwoBeforeListening() throws Exception {
        TestCa.ClientPair pem = TestCa.create(folder).serverPem(folder, "webhook");
        Path policy = Files.writeString(folder.resolve("loopback-admin.yaml"), Files.readString(POLICY)
                .replace("listen: 0.0.0.0:9090", "listen: 127.0.0.1:9090"));

        CliResult result = CliResult.execute("webhook", "--policy", policy.toString(), "--tls-cert",
                pem.cert().toString(), "--tls-key", pem.key().toString(), "--address", "127.0.0.1", "--port", "0");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice webhook: " + policy + ": a pod cannot run this policy: "
                + "admin.listen 127.0.0.1:9090: the kubelet's probes");
    }
}
