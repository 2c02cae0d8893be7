package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.cli.webhook.WebhookServer;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.TestCa;
import picocli.CommandLine;

class WebhookCommandTest {

    private static final Path POLICY = Path.of("../deploy/k8s/base/sluice.yaml");
    private static final String NL = System.lineSeparator();

    @TempDir
    Path folder;

    @Test
    void servesHttpsUntilAskedToStopThenExitsZero() throws Exception {
        TestCa ca = TestCa.create(folder);
        TestCa.ClientPair pem = ca.serverPem(folder, "webhook");
        AtomicReference<WebhookServer> started = new AtomicReference<>();
        WebhookCommand command = new WebhookCommand(started::set);
        CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == WebhookCommand.class ? type.cast(command) : CommandLine.defaultFactory().create(type);
            }
        });
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));

        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> commandLine.execute("webhook",
                "--policy", POLICY.toString(), "--tls-cert", pem.cert().toString(), "--tls-key", pem.key().toString(),
                "--address", "127.0.0.1", "--port", "0"));
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
}
