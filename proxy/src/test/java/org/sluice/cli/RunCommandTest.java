package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.proxy.SluiceServer;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.LogCapture;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import picocli.CommandLine;

class RunCommandTest {

    @TempDir
    Path folder;

    private final ExecutorService runner = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopRunner() throws InterruptedException {
        runner.shutdownNow();
        assertThat(runner.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void invalidConfigPrintsEveryProblemWithItsPositionAndOpensNothing() throws IOException {
        int port = freePort();
        Path audit = folder.resolve("audit.jsonl");
        Path config = write("bad.yaml", String.join("\n",
                "version: 1",
                "gateway:",
                "  listen: 127.0.0.1:" + port,
                "  upstream: http://localhost:1",
                "  colour: blue",
                "limits:",
                "  maxRequestBodyBytes: 10 megabytes",
                "audit:",
                "  path: " + audit,
                "rules: []",
                ""));

        CliResult result = CliResult.execute("run", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        List<String> lines = result.err().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith(config + ":5:").contains("colour");
        assertThat(lines.get(1)).startsWith(config + ":7:").contains("bad size '10 megabytes'");
        assertThat(lines).allMatch(line -> line.matches(java.util.regex.Pattern.quote(config.toString())
                + ":\\d+:\\d+: .+"));
        assertThat(result.out()).isEmpty();
        assertThat(audit).doesNotExist();
        assertNothingListensOn(port);
    }

    @Test
    void missingConfigFileIsAConfigError() {
        Path missing = folder.resolve("missing.yaml");

        CliResult result = CliResult.execute("run", "--config", missing.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("sluice: cannot read config " + missing + ": no such file" + System.lineSeparator());
    }

    @Test
    void aFolderIsNotAConfig() {
        CliResult result = CliResult.execute("run", "--config", folder.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice: cannot read config " + folder + ": ");
    }

    @Test
    void auditLogThatCannotBeOpenedStopsStartUpBeforeAnyPortOpens() throws IOException {
        int port = freePort();
        Path notAFolder = write("not-a-folder", "a file where the audit folder should be\n");
        Path config = write("sluice.yaml", validConfig(port, notAFolder.resolve("audit.jsonl")));

        CliResult result = CliResult.execute("run", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice: cannot start (audit log " + notAFolder.resolve("audit.jsonl"));
        assertThat(result.err().lines()).hasSize(1);
        assertNothingListensOn(port);
    }

    @Test
    void anAuditLogWrittenBeforeHashChainsStopsStartUpAndSaysWhatToDo() throws IOException {
        int port = freePort();
        Path audit = write("audit.jsonl", "{\"ts\":\"2026-01-01T00:00:00.000Z\",\"id\":\"old\",\"error\":null}\n");
        Path config = write("sluice.yaml", validConfig(port, audit));

        CliResult result = CliResult.execute("run", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice: cannot start (audit log " + audit)
                .contains("audit log " + audit + ": its last line is not a hash-chained audit record")
                .contains("Move the file out of the folder");
        assertThat(result.err().lines()).hasSize(1);
        assertNothingListensOn(port);
        assertThat(Files.readString(audit)).endsWith("\"id\":\"old\",\"error\":null}\n");
    }

    @Test
    void runsUntilAskedToStopThenDrainsAndExitsZero() throws Exception {
        Path audit = folder.resolve("logs/audit.jsonl");
        Path config = write("sluice.yaml", validConfig(0, audit));
        CompletableFuture<SluiceServer> started = new CompletableFuture<>();
        RunCommand run = new RunCommand(started::complete);
        CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == RunCommand.class ? type.cast(run) : CommandLine.defaultFactory().create(type);
            }
        });
        CompletableFuture<CliResult> exit = CompletableFuture.supplyAsync(
                () -> CliResult.execute(commandLine, "run", "--config", config.toString()), runner);

        SluiceServer server = started.get(30, TimeUnit.SECONDS);
        HttpResponse<String> denied = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().send(
                HttpRequest.newBuilder(URI.create("http://" + Addresses.format(server.gatewayAddress()) + "/admin/export"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        run.requestStop();
        CliResult result = exit.get(60, TimeUnit.SECONDS);

        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("X-Sluice-Error")).hasValue("denied");
        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).isEmpty();
        List<String> auditLines = Files.readAllLines(audit, StandardCharsets.UTF_8);
        assertThat(auditLines).hasSize(1);
        assertThat(JsonFields.of(auditLines.get(0)))
                .containsEntry("decision", "deny")
                .containsEntry("path", "/admin/export")
                .containsEntry("status", "403");
        assertNothingListensOn(server.gatewayAddress().getPort());
    }

    /** Issue 16 item 10: a port in use stops start-up before any file is made, and says which key it is. */
    @Test
    void aPortAlreadyInUseStopsStartUpBeforeTheAuditLogIsCreated() throws IOException {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             LogCapture logs = LogCapture.withInfo(SluiceServer.class)) {
            Path audit = folder.resolve("logs/audit.jsonl");
            Path config = write("sluice.yaml", validConfig(held.getLocalPort(), audit));

            CliResult result = CliResult.execute("run", "--config", config.toString());

            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.err()).isEqualTo("sluice: 127.0.0.1:" + held.getLocalPort()
                    + " is already in use (gateway.listen)" + System.lineSeparator());
            assertThat(audit.getParent()).as("no audit folder, let alone an empty audit file").doesNotExist();
            assertThat(logs.lines()).noneMatch(line -> line.contains("audit log flushed"));
        }
    }

    @Test
    void aForwardOnlyConfigRunsItsForwardAndAdminListenersAndItsRules() throws Exception {
        Path audit = folder.resolve("audit.jsonl");
        Path config = write("forward-only.yaml", String.join("\n",
                "version: 1",
                "allowPrivate: [127.0.0.0/8]",
                "forward:",
                "  listen: 127.0.0.1:0",
                "admin:",
                "  listen: 127.0.0.1:0",
                "audit:",
                "  path: \"" + audit + "\"",
                "rules:",
                "  - name: local-api",
                "    methods: [GET]",
                "    hosts: [127.0.0.1]",
                "    paths: [\"/api/**\"]",
                ""));
        CompletableFuture<SluiceServer> started = new CompletableFuture<>();
        RunCommand run = new RunCommand(started::complete);
        CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == RunCommand.class ? type.cast(run) : CommandLine.defaultFactory().create(type);
            }
        });
        try (RecordingUpstream upstream = RecordingUpstream.start()) {
            CompletableFuture<CliResult> exit = CompletableFuture.supplyAsync(
                    () -> CliResult.execute(commandLine, "run", "--no-watch", "--config", config.toString()), runner);
            SluiceServer server = started.get(30, TimeUnit.SECONDS);
            int forward = server.forwardAddress().getPort();
            String authority = "127.0.0.1:" + upstream.port();
            RawResponse allowed = RawHttpConnection.exchange(forward, "GET http://" + authority + "/api/tasks "
                    + "HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n");
            RawResponse denied = RawHttpConnection.exchange(forward, "GET http://" + authority + "/admin "
                    + "HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n");
            HttpResponse<String> ready = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().send(
                    HttpRequest.newBuilder(URI.create("http://" + Addresses.format(server.adminAddress())
                            + "/readyz")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            run.requestStop();
            CliResult result = exit.get(60, TimeUnit.SECONDS);

            assertThat(server.gatewayAddress()).isNull();
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(denied.status()).isEqualTo(403);
            assertThat(upstream.received()).extracting(RecordingUpstream.Received::uri).containsExactly("/api/tasks");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(result.exitCode()).isZero();
            assertThat(Files.readAllLines(audit, StandardCharsets.UTF_8)).hasSize(2);
        }
    }

    @Test
    void sighupReloadsThePolicyFromTheFileWithoutARestart() throws Exception {
        Path audit = folder.resolve("audit.jsonl");
        Path config = write("sluice.yaml", validConfig(0, audit));
        String before = ConfigLoader.load(config).sha256();
        CompletableFuture<SluiceServer> started = new CompletableFuture<>();
        RunCommand run = new RunCommand(started::complete);
        CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == RunCommand.class ? type.cast(run) : CommandLine.defaultFactory().create(type);
            }
        });
        // --no-watch: only the signal can have reloaded it.
        CompletableFuture<CliResult> exit = CompletableFuture.supplyAsync(
                () -> CliResult.execute(commandLine, "run", "--no-watch", "--config", config.toString()), runner);
        SluiceServer server = started.get(30, TimeUnit.SECONDS);
        HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
        HttpResponse<String> denied = client.send(get(server, "/admin/export"), HttpResponse.BodyHandlers.ofString());
        write("sluice.yaml", validConfig(0, audit).replace("\"/api/**\"", "\"/admin/**\""));
        String after = ConfigLoader.load(config).sha256();

        run.onSignal("HUP");    // what the SIGHUP handler calls, on the JVM's signal thread
        Await.until(() -> server.policy().hash().equals(after), Duration.ofSeconds(10), "the reloaded policy");
        HttpResponse<String> allowed = client.send(get(server, "/admin/export"), HttpResponse.BodyHandlers.ofString());
        run.requestStop();
        CliResult result = exit.get(60, TimeUnit.SECONDS);

        assertThat(denied.statusCode()).isEqualTo(403);
        // Allowed now, and forwarded to an upstream that is not there.
        assertThat(allowed.statusCode()).isEqualTo(502);
        assertThat(allowed.headers().firstValue("X-Sluice-Error")).hasValue("upstream_failed");
        assertThat(result.exitCode()).as("SIGHUP does not stop Sluice").isZero();
        List<String> auditLines = Files.readAllLines(audit, StandardCharsets.UTF_8);
        assertThat(auditLines).hasSize(2);
        assertThat(JsonFields.of(auditLines.get(0))).containsEntry("decision", "deny").containsEntry("policy", before);
        assertThat(JsonFields.of(auditLines.get(1))).containsEntry("decision", "allow").containsEntry("policy", after)
                .containsEntry("rule", "central-api");
    }

    @Test
    void anIpLiteralUpstreamThatAllowPrivateDoesNotAdmitStopsTheStartBeforeAnyPortOpens() throws IOException {
        int port = freePort();
        Path audit = folder.resolve("audit.jsonl");
        Path config = write("unreachable.yaml", validConfig(port, audit).replace("http://localhost:1",
                "http://127.0.0.1:8081"));

        CliResult result = CliResult.execute("run", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo(config + ":4:13: gateway.upstream: 127.0.0.1 is a loopback address "
                + "(127.0.0.0/8), which Sluice never connects to unless allowPrivate admits it, so every request "
                + "would get 502 upstream_failed; set allowPrivate: [127.0.0.1/32] (or a block that holds it) to "
                + "allow it" + System.lineSeparator());
        assertThat(audit).doesNotExist();
        assertNothingListensOn(port);
    }

    @Test
    void anUpstreamNameThatResolvesToARefusedAddressIsAWarningAtStart() throws Exception {
        Path config = write("sluice.yaml", validConfig(0, folder.resolve("audit.jsonl")));

        List<String> warnings = warningsWhileRunning(config);

        assertThat(warnings).containsExactly(config + ": gateway.upstream localhost resolves to an address Sluice "
                + "refuses: 127.0.0.1 is a loopback address (127.0.0.0/8); every request will get 502 "
                + "upstream_failed while it does; set allowPrivate: [127.0.0.1/32] (or a block that holds it) to "
                + "allow it");
    }

    @Test
    void anUpstreamNameThatAllowPrivateAdmitsIsNoWarning() throws Exception {
        Path config = write("sluice.yaml", validConfig(0, folder.resolve("audit.jsonl"))
                + "allowPrivate: [127.0.0.0/8]\n");

        assertThat(warningsWhileRunning(config)).isEmpty();
    }

    /** Runs config until the start-time upstream check has logged (INFO or WARN), then stops; its warnings. */
    private List<String> warningsWhileRunning(Path config) throws Exception {
        try (LogCapture log = LogCapture.withInfo(RunCommand.class)) {
            CompletableFuture<SluiceServer> started = new CompletableFuture<>();
            RunCommand run = new RunCommand(started::complete);
            CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
                @Override
                public <K> K create(Class<K> type) throws Exception {
                    return type == RunCommand.class ? type.cast(run) : CommandLine.defaultFactory().create(type);
                }
            });
            CompletableFuture<CliResult> exit = CompletableFuture.supplyAsync(
                    () -> CliResult.execute(commandLine, "run", "--config", config.toString()), runner);
            started.get(30, TimeUnit.SECONDS);
            Await.until(() -> log.lines().stream().anyMatch(line -> line.contains("gateway.upstream localhost")),
                    Duration.ofSeconds(10), "the upstream's addresses were checked");
            run.requestStop();
            assertThat(exit.get(60, TimeUnit.SECONDS).exitCode()).isZero();
            return log.warnings();
        }
    }

    private static HttpRequest get(SluiceServer server, String path) {
        return HttpRequest.newBuilder(URI.create("http://" + Addresses.format(server.gatewayAddress()) + path))
                .timeout(Duration.ofSeconds(10)).build();
    }

    private String validConfig(int port, Path audit) {
        return String.join("\n",
                "version: 1",
                "gateway:",
                "  listen: 127.0.0.1:" + port,
                "  upstream: http://localhost:1",
                "audit:",
                "  path: \"" + audit + "\"",
                "rules:",
                "  - name: central-api",
                "    methods: [GET]",
                "    paths: [\"/api/**\"]",
                "");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(folder.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void assertNothingListensOn(int port) {
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            }
        }).isInstanceOf(ConnectException.class);
    }
}
