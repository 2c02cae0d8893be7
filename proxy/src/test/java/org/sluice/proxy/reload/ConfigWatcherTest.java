package org.sluice.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.Await;

/** The folder watch on its own: which changes it reports. Whether they matter is the reloader's business. */
class ConfigWatcherTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Long enough for inotify to deliver what it has; used only where nothing must arrive. */
    private static final Duration QUIET = Duration.ofMillis(500);

    @TempDir
    Path folder;

    private final AtomicInteger changes = new AtomicInteger();
    private ConfigWatcher watcher;

    @AfterEach
    void close() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private void watch(Path file) throws IOException {
        watcher = ConfigWatcher.start(file, changes::incrementAndGet);
    }

    private void awaitAChange() {
        Await.until(() -> changes.get() > 0, WAIT, "the watcher to report a change");
    }

    private static void quietly(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(deadline - System.nanoTime());
        }
    }

    @Test
    void aWriteInPlaceIsReported() throws IOException {
        Path file = Files.writeString(folder.resolve("sluice.yaml"), "a\n");
        watch(file);

        Files.writeString(file, "b\n", StandardOpenOption.APPEND);

        awaitAChange();
    }

    @Test
    void aNewFileRenamedOverItIsReported() throws IOException {
        Path file = Files.writeString(folder.resolve("sluice.yaml"), "a\n");
        watch(file);

        Path next = Files.writeString(folder.resolve("sluice.yaml.tmp"), "b\n");
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        awaitAChange();
    }

    @Test
    void aConfigMapStyleSwapOfTheDataSymlinkIsReported() throws IOException {
        // What the kubelet does: sluice.yaml -> ..data/sluice.yaml, ..data -> ..<timestamp>; an update writes a new
        // timestamped folder, points ..data_tmp at it and renames ..data_tmp over ..data.
        Path first = Files.createDirectory(folder.resolve("..2026_11_23_13_00_00.1"));
        Files.writeString(first.resolve("sluice.yaml"), "a\n");
        Files.createSymbolicLink(folder.resolve("..data"), first.getFileName());
        Path file = Files.createSymbolicLink(folder.resolve("sluice.yaml"), Path.of("..data/sluice.yaml"));
        watch(file);

        Path second = Files.createDirectory(folder.resolve("..2026_11_23_13_05_00.2"));
        Files.writeString(second.resolve("sluice.yaml"), "b\n");
        Path tmp = Files.createSymbolicLink(folder.resolve("..data_tmp"), second.getFileName());
        Files.move(tmp, folder.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);

        awaitAChange();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("b\n");
    }

    @Test
    void aSecretStyleSwapOfACertificateAndKeyIsReported() throws IOException {
        // A Secret volume as the kubelet lays it out: tls.crt and tls.key both reached through ..data.
        Path first = Files.createDirectory(folder.resolve("..2026_11_23_13_00_00.1"));
        Files.writeString(first.resolve("tls.crt"), "cert a\n");
        Files.writeString(first.resolve("tls.key"), "key a\n");
        Files.createSymbolicLink(folder.resolve("..data"), first.getFileName());
        Path cert = Files.createSymbolicLink(folder.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Path key = Files.createSymbolicLink(folder.resolve("tls.key"), Path.of("..data/tls.key"));
        watcher = ConfigWatcher.start(List.of(cert, key), changes::incrementAndGet);

        Path second = Files.createDirectory(folder.resolve("..2026_11_23_13_05_00.2"));
        Files.writeString(second.resolve("tls.crt"), "cert b\n");
        Files.writeString(second.resolve("tls.key"), "key b\n");
        Path tmp = Files.createSymbolicLink(folder.resolve("..data_tmp"), second.getFileName());
        Files.move(tmp, folder.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);

        awaitAChange();
        assertThat(Files.readString(key, StandardCharsets.UTF_8)).isEqualTo("key b\n");
    }

    @Test
    void filesInTwoFoldersAreEachWatched() throws IOException {
        Path policy = Files.writeString(Files.createDirectory(folder.resolve("policy")).resolve("sluice.yaml"), "a\n");
        Path cert = Files.writeString(Files.createDirectory(folder.resolve("tls")).resolve("tls.crt"), "a\n");
        watcher = ConfigWatcher.start(List.of(policy, cert), changes::incrementAndGet);

        Files.writeString(cert, "b\n");
        awaitAChange();
        int afterCert = changes.get();
        Files.writeString(policy, "b\n");

        Await.until(() -> changes.get() > afterCert, WAIT, "the watcher to report the second folder's change");
    }

    @Test
    void otherFilesInTheFolderAreIgnored() throws IOException {
        Path file = Files.writeString(folder.resolve("sluice.yaml"), "a\n");
        watch(file);
        Path audit = folder.resolve("audit.jsonl");

        for (int i = 0; i < 20; i++) {
            Files.writeString(audit, "{}\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        Files.writeString(folder.resolve("sluice.yaml.bak"), "x\n");
        quietly(QUIET);

        assertThat(changes.get()).as("events of other files").isZero();
        Files.writeString(file, "b\n");
        awaitAChange();
    }

    @Test
    void closingEndsTheWatchThread() throws Exception {
        Path file = Files.writeString(folder.resolve("sluice.yaml"), "a\n");
        watch(file);
        assertThat(watcher.watching()).isTrue();

        watcher.close();

        Await.until(() -> !watcher.watching(), WAIT, "the watch thread to end");
    }
}
