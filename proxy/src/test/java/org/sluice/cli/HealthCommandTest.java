package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice health} against a local HTTP server that answers as the admin listener would, or does not. */
class HealthCommandTest {

    private HttpServer server;
    private final AtomicReference<String> pathAsked = new AtomicReference<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/readyz", exchange -> {
            pathAsked.set(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            respond(exchange, 200, "ready\npolicy: abc\nrules: 1\nmode: enforce\n");
        });
        server.createContext("/notready", exchange ->
                respond(exchange, 503, "not ready:\n- audit log /var/log/sluice/audit.jsonl is not writable\n"));
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "/readyz");
            respond(exchange, 302, "");
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void readyIsExitZeroWithOneLine() {
        CliResult result = CliResult.execute("health", "--url", url("/readyz"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("ok: 200 from " + url("/readyz") + "\n");
        assertThat(result.err()).isEmpty();
        assertThat(pathAsked.get()).isEqualTo("GET /readyz");
    }

    @Test
    void notReadyIsExitOneAndSaysWhyFromTheAnswer() {
        CliResult result = CliResult.execute("health", "--url", url("/notready"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("unhealthy: 503 from " + url("/notready")
                + ": not ready: - audit log /var/log/sluice/audit.jsonl is not writable\n");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void aRedirectIsNotFollowedAndNotHealthy() {
        CliResult result = CliResult.execute("health", "--url", url("/moved"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("unhealthy: 302 from ");
        assertThat(pathAsked.get()).isNull();
    }

    @Test
    void nothingListeningIsExitOne() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = socket.getLocalPort();
        }

        CliResult result = CliResult.execute("health", "--url", "http://127.0.0.1:" + freePort + "/readyz");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("unhealthy: cannot reach http://127.0.0.1:" + freePort + "/readyz: ");
    }

    @Test
    void aServerThatAcceptsButNeverAnswersIsExitOneWithinTheTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/readyz";
            long start = System.nanoTime();

            CliResult result = CliResult.execute("health", "--url", url, "--timeout", "300ms");

            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).isEqualTo("unhealthy: no answer from " + url + " within 300ms\n");
            assertThat(tookMillis).isLessThan(5_000);
            try (Socket accepted = silent.accept()) {
                assertThat(accepted.isConnected()).isTrue();
            }
        }
    }

    @Test
    void theDefaultAsksTheAdminListenersReadyzOnLoopback() {
        CliResult help = CliResult.execute("health", "--help");

        assertThat(help.exitCode()).isZero();
        // picocli wraps long lines; the default URL may be split across two.
        assertThat(help.out().replaceAll("\\s+", "")).contains("(default:http://127.0.0.1:9090/readyz)")
                .contains("(default:2s)");
    }

    @Test
    void usageErrorsAreExitTwo() {
        assertThat(CliResult.execute("health", "--url", "https://127.0.0.1:9090/readyz").exitCode()).isEqualTo(2);
        assertThat(CliResult.execute("health", "--url", "not a url").exitCode()).isEqualTo(2);
        CliResult badTimeout = CliResult.execute("health", "--url", url("/readyz"), "--timeout", "2");
        assertThat(badTimeout.exitCode()).isEqualTo(2);
        assertThat(badTimeout.err()).contains("'2' is not a positive duration");
        assertThat(CliResult.execute("health", "--timeout", "0s").exitCode()).isEqualTo(2);
        assertThat(pathAsked.get()).isNull();
    }

    /** Issue 16 item 10: the admin address comes from the config file, as the running Sluice reads it. */
    @Test
    void configNamesTheAdminListenerToAsk(@TempDir Path folder) throws IOException {
        int port = server.getAddress().getPort();
        Path loopback = config(folder, "loopback.yaml", "admin: {listen: 127.0.0.1:" + port + "}\n");
        Path wildcard = config(folder, "wildcard.yaml", "admin: {listen: 0.0.0.0:" + port + "}\n");

        CliResult result = CliResult.execute("health", "--config", loopback.toString());
        CliResult any = CliResult.execute("health", "--config", wildcard.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("ok: 200 from " + url("/readyz") + "\n");
        assertThat(pathAsked.get()).isEqualTo("GET /readyz");
        assertThat(any.exitCode()).as("0.0.0.0 is asked on loopback: " + any.err()).isZero();
        assertThat(any.out()).isEqualTo("ok: 200 from " + url("/readyz") + "\n");
    }

    @Test
    void aConfigWithoutAdminOrWithUrlTooIsAUsageError(@TempDir Path folder) throws IOException {
        Path noAdmin = config(folder, "no-admin.yaml", "");
        Path withAdmin = config(folder, "admin.yaml", "admin: {listen: 127.0.0.1:9090}\n");

        CliResult missing = CliResult.execute("health", "--config", noAdmin.toString());
        CliResult both = CliResult.execute("health", "--config", withAdmin.toString(), "--url", url("/readyz"));
        CliResult unreadable = CliResult.execute("health", "--config", folder.resolve("none.yaml").toString());

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("sluice health: " + noAdmin + " has no admin listener (admin.listen), "
                + "so there is nothing to ask; add admin: {listen: 127.0.0.1:9090} to it, or give --url\n");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--config and --url");
        assertThat(unreadable.exitCode()).isEqualTo(2);
        assertThat(unreadable.err()).contains("cannot read config");
        assertThat(pathAsked.get()).isNull();
    }

    private static Path config(Path folder, String name, String admin) throws IOException {
        return Files.writeString(folder.resolve(name), "version: 1\n"
                + "gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}\n" + admin
                + "audit: {path: audit.jsonl}\n", StandardCharsets.UTF_8);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
