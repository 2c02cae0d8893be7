package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.proxy.SluiceServer;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.FreePorts;
import picocli.CommandLine;

/**
 * Two Sluice instances with the same audit.path would fork the hash chain. The second one exits 2 naming the
 * holder's PID before it opens a port or writes a byte, whether it runs in another process (the lock file's
 * OS lock) or in the same JVM (where a FileLock is per process); readers such as {@code audit verify} need no lock.
 */
class OneWriterPerAuditLogTest {

    @TempDir
    Path folder;

    private Path config(String name, int port, Path audit) throws IOException {
        return Files.writeString(folder.resolve(name), String.join("\n",
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
                ""), StandardCharsets.UTF_8);
    }

    /** The first instance, in this JVM, with one (denied) request in its log, flushed. */
    private SluiceServer startFirst(Path audit) throws Exception {
        SluiceServer first = SluiceServer.start(ConfigLoader.load(config("first.yaml", 0, audit)));
        HttpResponse<String> denied = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + first.gatewayAddress().getPort() + "/admin")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(denied.statusCode()).isEqualTo(403);
        // The record is queued once the answer is written, which can be after the client has read it: wait for it.
        Await.until("the denied request's record in " + audit, () -> first.auditLog().flush(Duration.ofSeconds(10))
                && audit.toFile().length() > 0);
        return first;
    }

    @Test
    void aSecondSluiceProcessExits2NamingTheHolderAndOpensAndWritesNothing() throws Exception {
        Path audit = folder.resolve("logs/audit.jsonl");
        try (SluiceServer first = startFirst(audit)) {
            byte[] before = Files.readAllBytes(audit);
            int port = FreePorts.pick();
            Path second = config("second.yaml", port, audit);

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path output = folder.resolve("second.log");
            Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "org.sluice.cli.SluiceCli", "run", "--no-watch", "--config", second.toString())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the second process ends by itself").isTrue();
            } finally {
                process.destroyForcibly();
            }

            String printed = Files.readString(output);
            assertThat(process.exitValue()).as(printed).isEqualTo(2);
            assertThat(printed).contains("audit log " + audit + " is in use by another Sluice (PID "
                    + ProcessHandle.current().pid() + ", lock file " + audit.resolveSibling(".audit.jsonl.lock"));
            assertNothingListensOn(port);
            assertThat(Files.readAllBytes(audit)).as("the log is untouched").isEqualTo(before);

            CliResult verify = CliResult.execute("audit", "verify", audit.toString());
            assertThat(verify.exitCode()).as("a reader needs no lock: " + verify.out() + verify.err()).isZero();
        }
    }

    @Test
    void aSecondSluiceInTheSameJvmIsRefusedAndTheLockIsFreeAgainOnceTheFirstStops() throws Exception {
        Path audit = folder.resolve("audit.jsonl");
        int port = FreePorts.pick();
        Path second = config("second.yaml", port, audit);
        try (SluiceServer first = startFirst(audit)) {
            byte[] before = Files.readAllBytes(audit);

            CliResult refused = runBounded(second);

            assertThat(refused.exitCode()).isEqualTo(2);
            assertThat(refused.err()).contains("is in use by another Sluice (PID " + ProcessHandle.current().pid());
            assertThat(refused.err().lines()).hasSize(1);
            assertNothingListensOn(port);
            assertThat(Files.readAllBytes(audit)).isEqualTo(before);
            assertThat(Files.readString(audit.resolveSibling(".audit.jsonl.lock")).trim())
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
        try (SluiceServer next = SluiceServer.start(ConfigLoader.load(second))) {
            assertThat(next.gatewayAddress().getPort()).as("started once the first had stopped").isEqualTo(port);
        }
    }

    /** Runs {@code sluice run} in this JVM; should it start after all (the lock missing), it is stopped and fails. */
    private static CliResult runBounded(Path config) throws Exception {
        CompletableFuture<SluiceServer> started = new CompletableFuture<>();
        RunCommand run = new RunCommand(started::complete);
        CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == RunCommand.class ? type.cast(run) : CommandLine.defaultFactory().create(type);
            }
        });
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<CliResult> exit = CompletableFuture.supplyAsync(
                    () -> CliResult.execute(commandLine, "run", "--no-watch", "--config", config.toString()), runner);
            CompletableFuture.anyOf(exit, started).get(60, TimeUnit.SECONDS);
            if (started.isDone()) {
                run.requestStop();
                exit.get(60, TimeUnit.SECONDS);
                throw new AssertionError("the second Sluice started on the same audit log");
            }
            return exit.get();
        } finally {
            runner.shutdownNow();
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
