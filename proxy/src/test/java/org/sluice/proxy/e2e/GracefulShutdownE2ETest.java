package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.FreePorts;
import org.sluice.proxy.testing.JsonLines;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestSluice;

/** Shutdown stops new connections at once and lets the requests in flight finish and be audited. */
class GracefulShutdownE2ETest {

    private static final String SLOW_PATH = "/api/slow";
    private static final int SLOW_MILLIS = 1000;

    @TempDir
    Path folder;

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200).withBody("quick"));

    @BeforeEach
    void stubSlowPath() {
        central.stubFor(any(urlPathEqualTo(SLOW_PATH)).willReturn(aResponse().withStatus(200)
                .withFixedDelay(SLOW_MILLIS).withBody("slow but complete")));
    }

    @Test
    void inFlightRequestCompletesAndNewConnectionsAreRefused() throws Exception {
        TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), """
                rules:
                  - name: central-api
                    methods: [GET]
                    paths: ["/api/**"]
                """));
        try {
            int port = sluice.gatewayPort();
            CompletableFuture<RawResponse> inFlight = CompletableFuture.supplyAsync(() -> slowRequest(port));
            Await.until(() -> !central.getAllServeEvents().isEmpty(), Duration.ofSeconds(5), "the slow request upstream");

            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(sluice.server()::shutdownGracefully);
            Await.until(() -> refusesConnections(port), Duration.ofSeconds(2), "the gateway to stop accepting");
            assertThat(inFlight).isNotDone();

            RawResponse response = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("slow but complete");
            shutdown.get(10, TimeUnit.SECONDS);

            // The audit log was flushed and closed by the shutdown: read the file itself.
            List<Map<String, Object>> records = JsonLines.read(sluice.auditFile());
            assertThat(records).singleElement().satisfies(r -> assertThat(r)
                    .containsEntry("id", response.header("X-Sluice-Request-Id"))
                    .containsEntry("path", SLOW_PATH).containsEntry("status", 200L).containsEntry("error", null));
        } finally {
            sluice.close();
        }
    }

    @Test
    void sigtermDrainsTheRequestInFlightAndExitsZero() throws Exception {
        int port = FreePorts.pick();
        Path audit = folder.resolve("audit.jsonl");
        Path config = folder.resolve("sluice.yaml");
        Files.writeString(config, """
                version: 1
                allowPrivate: [127.0.0.0/8]
                gateway:
                  listen: 127.0.0.1:%d
                  upstream: %s
                  timeouts:
                    shutdownGrace: 5s
                audit:
                  path: %s
                rules:
                  - name: central-api
                    methods: [GET]
                    paths: ["/api/**"]
                """.formatted(port, CentralServer.httpUrl(central), audit), StandardCharsets.UTF_8);
        Path output = folder.resolve("sluice.out");
        Process process = new ProcessBuilder(javaExecutable(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", testClassPath(), "org.sluice.cli.SluiceCli", "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            Await.until(() -> !process.isAlive() || answers(port), Duration.ofSeconds(30), "Sluice to listen on " + port);
            assertThat(process.isAlive()).as("Sluice exited early:\n%s", read(output)).isTrue();

            CompletableFuture<RawResponse> inFlight = CompletableFuture.supplyAsync(() -> slowRequest(port));
            // A fresh JVM's first request loads and compiles the whole pipeline; on a loaded machine that took > 5 s.
            Await.until(() -> !central.getAllServeEvents().isEmpty() || inFlight.isDone(), Duration.ofSeconds(20),
                    "the slow request upstream");
            assertThat(central.getAllServeEvents()).as("the slow request reached the central server; Sluice said:\n%s",
                    read(output)).isNotEmpty();
            process.destroy();   // SIGTERM

            RawResponse response = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(response.status()).as(read(output)).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("slow but complete");
            assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("exited within 15 s").isTrue();
            assertThat(process.exitValue()).as("exit code; output:\n%s", read(output)).isZero();
            assertThat(JsonLines.read(audit)).singleElement().satisfies(r -> assertThat(r)
                    .containsEntry("id", response.header("X-Sluice-Request-Id"))
                    .containsEntry("path", SLOW_PATH).containsEntry("status", 200L));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static RawResponse slowRequest(int port) {
        try {
            return RawHttpConnection.exchange(port, "GET " + SLOW_PATH + " HTTP/1.1\r\nHost: sluice\r\n\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean refusesConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Surefire may run tests from a manifest-only jar; its real class path is in surefire.test.class.path. */
    private static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
