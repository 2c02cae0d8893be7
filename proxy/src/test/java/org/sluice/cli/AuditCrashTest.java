package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.FreePorts;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RecordingUpstream;

/**
 * kill -9 under load: every complete record still verifies, a line torn by the crash is reported as truncation
 * (not tampering), and the next run continues the same chain. Sluice runs in its own JVM, so the kill is real.
 */
class AuditCrashTest {

    /** Requests answered before the kill; the load runs until then (at most LOAD_LIMIT), then continues past it. */
    private static final int ANSWERED_BEFORE_KILL = 100;
    private static final Duration LOAD_LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path folder;

    private final List<Process> started = new ArrayList<>();
    private RecordingUpstream upstream;

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void killedUnderLoadTheLogVerifiesAndTheNextRunContinuesTheChain() throws Exception {
        upstream = RecordingUpstream.start();
        int port = FreePorts.pick();
        Path config = folder.resolve("sluice.yaml");
        Files.writeString(config, """
                version: 1
                allowPrivate: [127.0.0.0/8]
                gateway:
                  listen: 127.0.0.1:%d
                  upstream: %s
                audit:
                  path: audit.jsonl
                  node: crash-test-node
                rules:
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """.formatted(port, upstream.url()), StandardCharsets.UTF_8);
        Path audit = folder.resolve("audit.jsonl");

        Process first = startSluice(config, port);
        int sent = loadThenKill(first, port);
        assertThat(sent).as("requests answered before the kill").isGreaterThanOrEqualTo(ANSWERED_BEFORE_KILL);

        CliResult afterKill = CliResult.execute("audit", "verify", audit.toString());
        assertThat(afterKill.exitCode()).as(afterKill.out() + afterKill.err()).isZero();
        assertThat(afterKill.out()).contains("ok: the chain is intact");

        // A crash in the middle of a write leaves part of a line; cut the last line as such a crash would.
        tearLastLine(audit);
        CliResult torn = CliResult.execute("audit", "verify", audit.toString());
        assertThat(torn.exitCode()).as(torn.out() + torn.err()).isZero();
        assertThat(torn.out() + torn.err()).contains("torn write (crash)").doesNotContain("FAILED");

        Process second = startSluice(config, port);
        for (int i = 0; i < 5; i++) {
            assertThat(RawHttpConnection.exchange(port, "GET /api/after HTTP/1.1\r\nHost: s\r\n\r\n").status())
                    .isEqualTo(200);
        }
        second.destroy();   // SIGTERM: a clean stop flushes the log
        assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();

        CliResult continued = CliResult.execute("audit", "verify", audit.toString());
        assertThat(continued.exitCode()).as(continued.out() + continued.err()).isZero();
        assertThat(continued.out()).contains("ok: the chain is intact").contains("genesis of node crash-test-node");
        assertThat(continued.out() + continued.err()).contains("torn write (crash)");
    }

    private Process startSluice(Path config, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "org.sluice.cli.SluiceCli", "run", "--config", config.toString(), "--no-watch")
                .redirectErrorStream(true)
                .redirectOutput(folder.resolve("sluice-" + started.size() + ".log").toFile())
                .start();
        started.add(process);
        Await.until(() -> listening(port) || !process.isAlive(), Duration.ofSeconds(30), "Sluice listening");
        assertThat(process.isAlive()).as("Sluice started").isTrue();
        return process;
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Four clients send requests; once enough have been answered, Sluice is killed with SIGKILL mid-load. */
    private static int loadThenKill(Process sluice, int port) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        long end = System.nanoTime() + LOAD_LIMIT.toNanos();
        for (int c = 0; c < 4; c++) {
            clients.submit(() -> {
                while (!stop.get() && System.nanoTime() < end) {
                    try {
                        if (RawHttpConnection.exchange(port, "GET /api/load HTTP/1.1\r\nHost: s\r\n\r\n")
                                .status() == 200) {
                            answered.incrementAndGet();
                        }
                    } catch (IOException expectedOnceKilled) {
                        // The process is gone: the remaining requests fail.
                    }
                }
                return null;
            });
        }
        Await.until(() -> answered.get() >= ANSWERED_BEFORE_KILL, LOAD_LIMIT, ANSWERED_BEFORE_KILL + " answers");
        sluice.destroyForcibly();   // SIGKILL while the clients are still sending: no shutdown hook, no flush
        assertThat(sluice.waitFor(10, TimeUnit.SECONDS)).isTrue();
        int beforeKill = answered.get();
        stop.set(true);
        clients.shutdown();
        assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        return beforeKill;
    }

    private static void tearLastLine(Path audit) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(audit.toFile(), "rw")) {
            long length = file.length();
            assertThat(length).isGreaterThan(100);
            file.setLength(length - 40);   // cuts into the last line's hash; no newline at the end now
        }
    }
}
