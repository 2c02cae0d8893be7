package org.sluice.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.LogCapture;

/** When a reload is asked for: once at start, then once per burst of changes of any of the files, never for none. */
class WatchedFilesTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(100);
    private static final Duration NO_POLL = Duration.ofHours(1);
    private static final long WAIT_SECONDS = 10;
    /** Several debounce periods: long enough for a reload that was going to be asked for to be asked for. */
    private static final long QUIET_MILLIS = 600;

    @TempDir
    Path folder;

    private final BlockingQueue<String> reloads = new LinkedBlockingQueue<>();
    private WatchedFiles watched;

    @AfterEach
    void close() {
        if (watched != null) {
            watched.close();
        }
    }

    private String nextReload() throws InterruptedException {
        String trigger = reloads.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(trigger).as("a reload within %d s", WAIT_SECONDS).isNotNull();
        return trigger;
    }

    private void assertNoReload() throws InterruptedException {
        assertThat(reloads.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).as("a reload nobody asked for").isNull();
    }

    @Test
    void checksOnceAtStartThenOnChangesOfEitherFile() throws Exception {
        Path cert = Files.writeString(folder.resolve("tls.crt"), "cert a\n");
        Path key = Files.writeString(folder.resolve("tls.key"), "key a\n");
        watched = WatchedFiles.start("test files", List.of(cert, key), reloads::add, DEBOUNCE, NO_POLL);

        assertThat(nextReload()).isEqualTo("checksum poll");
        Files.writeString(key, "key b\n");
        assertThat(nextReload()).isEqualTo("file change");
        Files.writeString(cert, "cert b\n");
        assertThat(nextReload()).isEqualTo("file change");
        assertNoReload();
    }

    @Test
    void aBurstOfWritesIsOneReloadAndRewritingTheSameBytesIsNone() throws Exception {
        Path file = Files.writeString(folder.resolve("sluice.yaml"), "a\n");
        watched = WatchedFiles.start("test files", List.of(file), reloads::add, DEBOUNCE, NO_POLL);
        nextReload();

        Files.writeString(file, "");
        Files.writeString(file, "b");
        Files.writeString(file, "b\n");
        nextReload();
        assertNoReload();

        Path same = Files.writeString(folder.resolve("sluice.yaml.tmp"), "b\n");
        Files.move(same, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertNoReload();
    }

    @Test
    void thePollFindsWhatTheWatchCannotSee() throws Exception {
        // A file whose folder cannot be watched (it does not exist yet): only the poll can find it.
        Path file = folder.resolve("later/sluice.yaml");
        watched = WatchedFiles.start("test files", List.of(file), reloads::add, DEBOUNCE, Duration.ofMillis(50));
        nextReload();

        Files.createDirectories(file.getParent());
        Files.writeString(file, "a\n");

        assertThat(nextReload()).isEqualTo("checksum poll");
    }

    @Test
    void aFailingReloadDoesNotStopLaterOnes() throws Exception {
        Path file = Files.writeString(folder.resolve("sluice.yaml"), "a\n");
        try (LogCapture log = LogCapture.of(WatchedFiles.class)) {
            watched = WatchedFiles.start("test files", List.of(file), trigger -> {
                reloads.add(trigger);
                throw new IllegalStateException("a bug in the reload");
            }, DEBOUNCE, NO_POLL);
            nextReload();

            Files.writeString(file, "b\n");
            nextReload();
            Files.writeString(file, "c\n");
            nextReload();

            Await.until(() -> log.warnings().size() == 3, Duration.ofSeconds(WAIT_SECONDS), "three error lines");
            assertThat(log.warnings()).last().isEqualTo("reloading the test files (file change) failed; what was in "
                    + "force stays");
        }
    }

    @Test
    void noReloadAfterClose() throws IOException, InterruptedException {
        Path file = Files.writeString(folder.resolve("sluice.yaml"), "a\n");
        watched = WatchedFiles.start("test files", List.of(file), reloads::add, DEBOUNCE, NO_POLL);
        nextReload();

        watched.close();
        Files.writeString(file, "b\n");

        assertNoReload();
    }
}
