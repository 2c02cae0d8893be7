package org.sluice.proxy.reload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a reload, on a daemon thread of its own, when the content of any of a few files changes: a folder watch
 * ({@link ConfigWatcher}: writes, renames, a Kubernetes {@code ..data} swap) and a checksum poll for what the watch
 * misses, debounced as {@link PolicyReloader} does, so a burst of events is one reload. The reload is asked for only
 * when the files' combined SHA-256 differs from the last one seen (a broken file is reported once, not on every
 * poll); it reads the files itself and compares with what it has in force. The first check runs before
 * {@link #start} returns, so a change between the caller's first read and this start is not missed, and one after
 * it is a change the watch sees.
 */
public final class WatchedFiles implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchedFiles.class);
    /** A burst of events (an editor's save, a volume swap) is read once, this long after its last event. */
    public static final Duration DEBOUNCE = PolicyReloader.DEBOUNCE;
    /** How often the files' SHA-256 is compared, for changes the folder watch cannot see. */
    public static final Duration POLL_INTERVAL = PolicyReloader.POLL_INTERVAL;

    private final String what;
    private final List<Path> files;
    private final Consumer<String> reload;
    private final long debounceNanos;
    private final Duration pollInterval;
    private final ScheduledThreadPoolExecutor thread;

    // Confined to the thread.
    private String lastSeenSha256;
    private ScheduledFuture<?> pendingCheck;
    private long burstStartNanos;
    private String burstTrigger;
    private ConfigWatcher watcher;

    private WatchedFiles(String what, List<Path> files, Consumer<String> reload, Duration debounce,
            Duration pollInterval) {
        this.what = what;
        this.files = files;
        this.reload = reload;
        this.debounceNanos = debounce.toNanos();
        this.pollInterval = pollInterval;
        this.thread = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "sluice-reload-" + what.replace(' ', '-'));
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Starts watching and polling, with {@link #DEBOUNCE} and {@link #POLL_INTERVAL}.
     *
     * @param what   what the files hold, for the thread's name and the log ("webhook policy")
     * @param reload told what noticed the change ("file change", "checksum poll"); runs on this object's thread
     */
    public static WatchedFiles start(String what, List<Path> files, Consumer<String> reload) {
        return start(what, files, reload, DEBOUNCE, POLL_INTERVAL);
    }

    static WatchedFiles start(String what, List<Path> files, Consumer<String> reload, Duration debounce,
            Duration pollInterval) {
        WatchedFiles watched = new WatchedFiles(Objects.requireNonNull(what, "what"), List.copyOf(files),
                Objects.requireNonNull(reload, "reload"), debounce, pollInterval);
        Future<?> started = watched.thread.submit(() -> {
            watched.watch();
            watched.check("checksum poll");
        });
        try {
            started.get();
        } catch (ExecutionException e) {
            watched.close();
            throw new IllegalStateException("starting the watch of " + files + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long every = pollInterval.toNanos();
        watched.thread.scheduleWithFixedDelay(watched::poll, every, every, TimeUnit.NANOSECONDS);
        return watched;
    }

    private void watch() {
        try {
            watcher = ConfigWatcher.start(files, () -> submit(() -> debounce("file change")));
        } catch (IOException | RuntimeException e) {
            log.warn("cannot watch {} for changes ({}); they are still compared every {} ms", files, e.getMessage(),
                    pollInterval.toMillis());
        }
    }

    private void submit(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // Closing: no more reloads.
        }
    }

    private void poll() {
        String sha256 = sha256();
        if (!sha256.equals(lastSeenSha256)) {
            debounce("checksum poll");
        }
    }

    private void debounce(String trigger) {
        long now = System.nanoTime();
        if (pendingCheck == null) {
            burstStartNanos = now;
            burstTrigger = trigger;
        } else if (now - burstStartNanos < 5 * debounceNanos) {
            pendingCheck.cancel(false);
        } else {
            return;   // files that never stop changing are still read, at least every 5 debounce periods
        }
        String cause = burstTrigger;
        pendingCheck = thread.schedule(() -> check(cause), debounceNanos, TimeUnit.NANOSECONDS);
    }

    private void check(String trigger) {
        pendingCheck = null;
        String sha256 = sha256();
        if (sha256.equals(lastSeenSha256)) {
            return;
        }
        lastSeenSha256 = sha256;
        try {
            reload.accept(trigger);
        } catch (RuntimeException e) {
            // A bug, not a bad file (the reload reports those); the scheduler would swallow it.
            log.error("reloading the {} ({}) failed; what was in force stays", what, trigger, e);
        }
    }

    /** Of every file's bytes in turn; a file that cannot be read counts as its name and the reason. */
    private String sha256() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (Path file : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                bytes = ("unreadable " + file + ": " + e).getBytes(StandardCharsets.UTF_8);
            }
            // Length first, so that bytes moved from one file to the next still change the sum.
            digest.update(Long.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) ':');
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Stops watching and polling; a reload in progress finishes first (bounded), none starts after. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
        // After shutdown no task can still be starting the watcher: a task queued before it was dropped.
        if (thread.isTerminated() && watcher != null) {
            watcher.close();
        }
    }
}
