package org.sluice.proxy.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongConsumer;
import org.sluice.policy.config.AuditConfig;
import org.sluice.policy.config.AuditConfig.Fsync;
import org.sluice.policy.config.AuditConfig.OnFailure;

/**
 * How to build an audit log: a file ({@link #path}) or any sink ({@link #sink}), and the writer's settings.
 * Fail-fast: a bad value throws where it is set.
 */
public final class AuditLogBuilder {
    Path path;
    AuditSink sink;
    int queueCapacity = AuditLog.DEFAULT_QUEUE_CAPACITY;
    AuditIdentity identity;
    boolean hashQuery;
    Fsync fsync = Fsync.INTERVAL;
    Duration fsyncInterval = AuditConfig.DEFAULT_FSYNC_INTERVAL;
    OnFailure onFailure = OnFailure.REJECT;
    OutputStream copy;
    PrivateKey signingKey;
    AuditConfig.Checkpoints checkpoints = AuditConfig.Checkpoints.DEFAULTS;
    AuditConfig.Rotation rotation;
    ChainPosition chainStart;
    Runnable onWriteFailure = AuditLog.NOTHING;
    LongConsumer onDropped = n -> { };

    AuditLogBuilder() {}

    /** Appends to this file, continuing the chain written in it (or in its newest rotated file). */
    public AuditLogBuilder path(Path file) {
        this.path = Objects.requireNonNull(file, "path");
        this.sink = null;
        return this;
    }

    /** Writes to this sink instead of a file, with a chain that starts at the genesis; no rotation. */
    public AuditLogBuilder sink(AuditSink target) {
        this.sink = Objects.requireNonNull(target, "sink");
        this.path = null;
        this.rotation = null;
        return this;
    }

    public AuditLogBuilder queueCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, was " + capacity);
        }
        this.queueCapacity = capacity;
        return this;
    }

    /** The job and node every line names; default: resolved from SLUICE_JOB_ID, SLUICE_NODE_ID, host name. */
    public AuditLogBuilder identity(AuditIdentity id) {
        this.identity = Objects.requireNonNull(id, "identity");
        return this;
    }

    /** True: request records carry {@code querySha256}. */
    public AuditLogBuilder hashQuery(boolean hash) {
        this.hashQuery = hash;
        return this;
    }

    /** When lines are forced to disk; interval is used by {@link Fsync#INTERVAL} only. */
    public AuditLogBuilder fsync(Fsync mode, Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the fsync interval must be positive, was " + interval);
        }
        this.fsync = Objects.requireNonNull(mode, "fsync");
        this.fsyncInterval = interval;
        return this;
    }

    public AuditLogBuilder onFailure(OnFailure mode) {
        this.onFailure = Objects.requireNonNull(mode, "onFailure");
        return this;
    }

    /** Also writes every line to out (on the writer thread, after the file); never closed by the log. */
    public AuditLogBuilder copyTo(OutputStream out) {
        this.copy = Objects.requireNonNull(out, "out");
        return this;
    }

    /** Signs checkpoints with key (Ed25519) on this schedule. */
    public AuditLogBuilder signing(PrivateKey key, AuditConfig.Checkpoints schedule) {
        Objects.requireNonNull(schedule, "schedule");
        if (schedule.every() < 1 || schedule.interval().isNegative() || schedule.interval().isZero()) {
            throw new IllegalArgumentException("checkpoints need every >= 1 and a positive interval: " + schedule);
        }
        SigningKeys.publicKeyOf(key); // fails here, not on the writer thread, for a key that cannot sign
        this.signingKey = key;
        this.checkpoints = schedule;
        return this;
    }

    /** Rotates the file (only with {@link #path}). */
    public AuditLogBuilder rotation(AuditConfig.Rotation rotate) {
        Objects.requireNonNull(rotate, "rotation");
        if (rotate.maxBytes() < 1 || rotate.interval().toMillis() < 1) {
            throw new IllegalArgumentException("rotation needs maxBytes >= 1 and an interval >= 1ms: " + rotate);
        }
        this.rotation = rotate;
        return this;
    }

    /** Where the chain of a {@link #sink} log starts (tests); a file log finds it in its files. */
    AuditLogBuilder chainStart(ChainPosition position) {
        this.chainStart = Objects.requireNonNull(position, "chainStart");
        return this;
    }

    /** Runs on the writer thread after every failed write or force attempt; must not block. */
    public AuditLogBuilder onWriteFailure(Runnable hook) {
        this.onWriteFailure = Objects.requireNonNull(hook, "onWriteFailure");
        return this;
    }

    /** Runs with the number of records dropped, on the thread that dropped them (an event loop); must not block. */
    public AuditLogBuilder onDropped(LongConsumer hook) {
        this.onDropped = Objects.requireNonNull(hook, "onDropped");
        return this;
    }

    /**
     * Starts the writer. For a file: creates missing folders, takes the log's lock ({@link AuditLock}; {@link
     * AuditLogInUseException} when another Sluice holds it), repairs a torn last line, finds where the chain
     * stands and opens the file for appending; IOException (start-up fails) when that cannot be done or the
     * file's last line is not a chained record.
     */
    public AuditLog open() throws IOException {
        if (path == null && sink == null) {
            throw new IllegalStateException("an audit log needs a path or a sink");
        }
        if (rotation != null && path == null) {
            throw new IllegalStateException("only a file log rotates");
        }
        AuditLog log;
        if (sink != null) {
            ChainPosition start = chainStart != null ? chainStart : ChainPosition.start(identity().node());
            log = new AuditLog(this, sink, null, start, true, null);
        } else {
            log = openFile();
        }
        log.start();
        return log;
    }

    private AuditLog openFile() throws IOException {
        RotatedFiles names = new RotatedFiles(path);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AuditLock lock = AuditLock.acquire(path); // before recovery, which may repair the file's last line
        FileAuditSink file = null;
        try {
            ChainRecovery.Found found = ChainRecovery.recover(path, names, identity().node());
            file = FileAuditSink.open(path);
            Rotation rotate = null;
            if (rotation != null) {
                AuditCompressor compressor = rotation.compress() ? new AuditCompressor(fsync != Fsync.NEVER) : null;
                rotate = new Rotation(file, names, rotation.maxBytes(), rotation.interval().toMillis(),
                        compressor, found);
                if (compressor != null) {
                    names.uncompressed().forEach(compressor::submit); // left plain by an earlier stop
                }
            }
            return new AuditLog(this, file, rotate, found.position(), found.signedToEnd(), lock);
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                file.close();
            }
            lock.close();
            throw e;
        }
    }

    AuditIdentity identity() {
        if (identity == null) {
            identity = AuditIdentity.resolve(null, null, System.getenv(), AuditIdentity::localHostName);
        }
        return identity;
    }
}
