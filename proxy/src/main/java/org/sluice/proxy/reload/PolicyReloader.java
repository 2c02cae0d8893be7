package org.sluice.proxy.reload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.sluice.policy.Policy;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.Problem;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.proxy.reload.ReloadOutcome.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the policy from the config file without a restart: reads the file once, validates and compiles it,
 * and swaps the new policy in with one {@link AtomicReference#set}. All of it runs on one daemon thread of its
 * own ({@code sluice-policy-reload}), never on an event loop; requests in flight keep the policy they started
 * with. A file that is invalid, unreadable or changes a key that needs a restart leaves the old policy in force.
 *
 * <p>Three things ask for a reload: {@link #reload} (SIGHUP), the folder watch, and a checksum poll that
 * catches what the watch misses. Watch and poll ({@link WatchedFiles}) are debounced and act only when the file's
 * SHA-256 differs from the last one seen, so a broken file is reported once, not on every poll. The files the
 * policy names (a rule's JSON Schema, its fingerprint index) are watched and compared with it: a new index alone
 * is a new policy.
 */
public final class PolicyReloader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PolicyReloader.class);
    /** A burst of events (an editor's save, a ConfigMap swap) is read once, this long after its last event. */
    static final Duration DEBOUNCE = Duration.ofMillis(200);
    /** How often the file's SHA-256 is compared, for changes the folder watch cannot see. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(2);
    /** Marks a file that could not be read, as "last seen" by watch and poll. */
    private static final String UNREADABLE = "";

    private final Path file;
    /** What the listeners, upstream and audit log were started with; only the policy part may differ later. */
    private final SluiceConfig running;
    private final AtomicReference<Policy> policy;
    private final Consumer<? super ReloadOutcome> onOutcome;
    private final Duration debounce;
    private final Duration pollInterval;
    private final ExecutorService thread;

    // Confined to the reload thread.
    private String lastSeenSha256;
    private WatchedFiles watched;
    /** The files the policy in force names ({@link SluiceConfig#referencedFiles()}), watched with it. */
    private List<Path> referenced;

    /**
     * @param running   the config Sluice was started with; its source() is the file reloaded
     * @param policy    the reference every request reads once; only this reloader writes it
     * @param onOutcome told of every attempt that got as far as reading the file, on the reload thread
     */
    public PolicyReloader(SluiceConfig running, AtomicReference<Policy> policy,
                          Consumer<? super ReloadOutcome> onOutcome) {
        this(running, policy, onOutcome, DEBOUNCE, POLL_INTERVAL);
    }

    PolicyReloader(SluiceConfig running, AtomicReference<Policy> policy, Consumer<? super ReloadOutcome> onOutcome,
                   Duration debounce, Duration pollInterval) {
        this.running = Objects.requireNonNull(running, "running");
        this.file = Objects.requireNonNull(running.source(), "running.source()");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.onOutcome = Objects.requireNonNull(onOutcome, "onOutcome");
        this.debounce = Objects.requireNonNull(debounce, "debounce");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        this.lastSeenSha256 = running.sha256();
        this.referenced = running.referencedFiles();
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "sluice-policy-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reloads now, as SIGHUP asks: the file is read even if watch or poll saw it already, and a file equal to the
     * policy in force is UNCHANGED. Completes on the reload thread; fails only after {@link #close}.
     */
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        try {
            return CompletableFuture.supplyAsync(() -> readAndApply(trigger, true), thread);
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the policy reloader is closed", closed));
        }
    }

    /**
     * Starts the folder watch and the checksum poll ({@link WatchedFiles}, on a thread of its own; what they notice
     * is read on the reload thread). If the platform cannot watch the folder, says so once and relies on the poll.
     * Idempotent.
     */
    public void watch() {
        Future<?> started = thread.submit(() -> {
            if (watched == null) {
                startWatching();
            }
        });
        try {
            started.get();
            // The watch's first check, queued on this thread while it started, is done too: what changes after
            // watch() returns is a change the watch sees.
            thread.submit(() -> { }).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("starting the config file watch failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startWatching() {
        List<Path> files = new ArrayList<>();
        files.add(file);
        files.addAll(referenced);
        watched = WatchedFiles.start("policy", files, this::fileMayHaveChanged, debounce, pollInterval);
    }

    /** After a reload: the new policy may name other files; watch those instead (on the reload thread). */
    private void watchReferencedFiles(List<Path> now) {
        if (now.equals(referenced)) {
            return;
        }
        referenced = now;
        // The new watch's first check reads the policy once more (UNCHANGED, unless a named file changed since the
        // load): a second load, rather than a hash taken after the load that could hide such a change.
        if (watched != null) {
            watched.close();
            startWatching();
        }
    }

    /** From the watch, once a burst of changes has settled: one attempt on the reload thread. */
    void fileMayHaveChanged(String trigger) {
        try {
            thread.execute(() -> {
                try {
                    readAndApply(trigger, false);
                } catch (RuntimeException e) {
                    // A bug, not a bad file; the executor would swallow it. The policy in force stays.
                    log.error("policy reload ({}) failed; policy {} stays in force", trigger, policy.get().hash(), e);
                }
            });
        } catch (RejectedExecutionException closed) {
            // Closing: no more reloads.
        }
    }

    /**
     * One attempt. {@code requested}: SIGHUP or an API call, which always reads and reports; otherwise (watch,
     * poll) nothing happens when the file is what was last seen.
     */
    private ReloadOutcome readAndApply(String trigger, boolean requested) {
        Policy old = policy.get();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            if (!requested && UNREADABLE.equals(lastSeenSha256)) {
                return null;
            }
            lastSeenSha256 = UNREADABLE;
            String reason = file + ": cannot read: " + describe(e);
            log.warn("policy NOT reloaded ({}): {}; policy {} stays in force", trigger, reason, old.hash());
            return report(new ReloadOutcome(Result.ERROR, trigger, old, null, List.of(reason)));
        }
        String sha256 = ConfigLoader.sha256(bytes);
        String seen = withReferencedFiles(sha256);
        if (!requested && seen.equals(lastSeenSha256)) {
            return null;
        }
        lastSeenSha256 = seen;
        if (sha256.equals(old.hash())) {
            if (requested) {
                log.info("policy unchanged ({}): {} is the policy in force (sha256 {}); nothing to reload",
                        trigger, file, sha256);
            } else {
                log.debug("policy unchanged ({}): {} is the policy in force again", trigger, file);
            }
            return report(new ReloadOutcome(Result.UNCHANGED, trigger, old, sha256, List.of()));
        }
        return apply(trigger, sha256, bytes, old);
    }

    private ReloadOutcome apply(String trigger, String sha256, byte[] bytes, Policy old) {
        SluiceConfig next;
        Policy compiled;
        try {
            next = ConfigLoader.load(bytes, file);
            compiled = Policy.compile(next);
        } catch (ConfigException e) {
            List<String> problems = e.problems().stream().map(Problem::toString).toList();
            log.warn("policy NOT reloaded ({}): {} (sha256 {}) is invalid; policy {} stays in force. {} problem(s):",
                    trigger, file, sha256, old.hash(), problems.size());
            problems.forEach(problem -> log.warn("{}", problem));
            return report(new ReloadOutcome(Result.ERROR, trigger, old, sha256, problems));
        } catch (IllegalArgumentException e) {
            // The loader validates every glob; compile() refusing one is a bug, but it must not cost the policy.
            String reason = file + ": cannot compile the policy: " + e.getMessage();
            log.error("policy NOT reloaded ({}): {}; policy {} stays in force", trigger, reason, old.hash(), e);
            return report(new ReloadOutcome(Result.ERROR, trigger, old, sha256, List.of(reason)));
        }
        if (next.sha256().equals(old.hash())) {
            // Only a policy that names files gets here: its hash covers them, and they are what is in force.
            log.debug("policy unchanged ({}): {} and the files it names are the policy in force", trigger, file);
            return report(new ReloadOutcome(Result.UNCHANGED, trigger, old, sha256, List.of()));
        }
        List<String> changed = RestartOnlySettings.changed(running, next);
        if (!changed.isEmpty()) {
            log.warn("policy NOT reloaded ({}): {} (sha256 {}) changes {}, which only a restart applies; policy {} "
                            + "stays in force and nothing of the new file is used. Restart Sluice, or change {} back",
                    trigger, file, sha256, String.join(", ", changed), old.hash(),
                    changed.size() == 1 ? "it" : "them");
            return report(new ReloadOutcome(Result.RESTART_REQUIRED, trigger, old, sha256, changed));
        }
        policy.set(compiled);
        watchReferencedFiles(next.referencedFiles());
        log.info("policy reloaded ({}) from {}: sha256 {} -> {}, {} rule(s), mode {}", trigger, file, old.hash(),
                compiled.hash(), compiled.ruleCount(), compiled.mode().name().toLowerCase(Locale.ROOT));
        return report(new ReloadOutcome(Result.OK, trigger, compiled, sha256, List.of()));
    }

    /**
     * What watch and poll compare: the file's SHA-256 alone when the policy in force names no file, else with the
     * contents of the files it names, so that a changed index is seen though the YAML is the same.
     */
    private String withReferencedFiles(String sha256) {
        if (referenced.isEmpty()) {
            return sha256;
        }
        StringBuilder seen = new StringBuilder(sha256);
        for (Path named : referenced) {
            try {
                seen.append(' ').append(ConfigLoader.sha256(Files.readAllBytes(named)));
            } catch (IOException e) {
                seen.append(" unreadable:").append(describe(e));
            }
        }
        return ConfigLoader.sha256(seen.toString().getBytes(StandardCharsets.UTF_8));
    }

    private ReloadOutcome report(ReloadOutcome outcome) {
        onOutcome.accept(outcome);
        return outcome;
    }

    /** Why the file could not be read, without its name (the caller names it). */
    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fileSystem && fileSystem.getReason() != null) {
            return fileSystem.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The watch, read on the reload thread; null when not watching or already closed. */
    private WatchedFiles watchedFiles() {
        try {
            return thread.submit(() -> watched).get();
        } catch (RejectedExecutionException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Stops watching and polling; a reload in progress finishes first (bounded), none starts after. */
    @Override
    public void close() {
        WatchedFiles stopping = watchedFiles();
        if (stopping != null) {
            stopping.close(); // first, so that it asks for nothing more
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
