package org.sluice.policy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the audit log goes and how it is written; YAML {@code audit:}. Every key but {@code path} has a default
 * (see {@link #defaults(Path)}); the reference is docs/audit-config.md.
 *
 * @param path           the active log file, resolved relative to the config file's folder
 * @param job            written in every line as {@code job}; null: the environment variable SLUICE_JOB_ID, else
 *                       JSON null
 * @param node           written in every line as {@code node}, and what the chain's genesis is derived from; null:
 *                       SLUICE_NODE_ID, else the host name
 * @param fsync          when written lines are forced to disk
 * @param fsyncInterval  the most time between a write and its force with {@link Fsync#INTERVAL}
 * @param onFailure      what the gateway does while the log cannot be written
 * @param stdout         true: every line is also written to the process's standard output
 * @param query          whether request records carry a hash of the query string
 * @param rotate         when the active file is renamed and a new one started
 * @param checkpoint     how often a signed checkpoint is written (only with a signing key)
 * @param signingKeyFile PEM PKCS#8 Ed25519 private key that signs checkpoints, resolved relative to the config
 *                       file's folder; null: no checkpoints
 */
public record AuditConfig(Path path, String job, String node, Fsync fsync, Duration fsyncInterval,
                          OnFailure onFailure, boolean stdout, Query query, Rotation rotate, Checkpoints checkpoint,
                          Path signingKeyFile) {

    /** The most time between a write and its force, unless the config says. */
    public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofSeconds(1);

    public AuditConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        Objects.requireNonNull(onFailure, "onFailure");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(rotate, "rotate");
        Objects.requireNonNull(checkpoint, "checkpoint");
    }

    /** The audit settings of a config that names only {@code audit.path}. */
    public static AuditConfig defaults(Path path) {
        return new AuditConfig(path, null, null, Fsync.INTERVAL, DEFAULT_FSYNC_INTERVAL, OnFailure.REJECT, false,
                Query.DROP, Rotation.DEFAULTS, Checkpoints.DEFAULTS, null);
    }

    /** When written lines are forced to disk ({@code fdatasync}). */
    public enum Fsync {
        /** After every batch write, before the batch counts as written. */
        ALWAYS,
        /** At most once per {@code fsyncInterval}, and on stop. */
        INTERVAL,
        /** Never: the operating system writes back when it likes. */
        NEVER
    }

    /** What the gateway does while the audit log cannot be written. */
    public enum OnFailure {
        /** New requests get 503 {@code unavailable}: nothing is forwarded unrecorded. */
        REJECT,
        /** Requests are still forwarded; records that cannot be written are counted and dropped. */
        ALLOW
    }

    /** What request records say about the query string, which is never written in clear. */
    public enum Query {
        /** Nothing. */
        DROP,
        /** {@code querySha256}: hex SHA-256 of the query as received. */
        HASH
    }

    /**
     * {@code audit.rotate}: the active file is renamed and a new one started once it holds {@code maxBytes} or its
     * first record is {@code interval} old.
     *
     * @param maxBytes size at which the active file is rotated, at least 1
     * @param interval age at which a non-empty active file is rotated
     * @param compress true: rotated files are gzipped (off the writer thread) to {@code .gz}
     */
    public record Rotation(long maxBytes, Duration interval, boolean compress) {
        /** 100 MiB, 24 h, not compressed. */
        public static final Rotation DEFAULTS = new Rotation(100L << 20, Duration.ofHours(24), false);

        public Rotation {
            Objects.requireNonNull(interval, "interval");
        }
    }

    /**
     * {@code audit.checkpoint}: a signed checkpoint after {@code every} records or after {@code interval} when a
     * record was written since the last one; also before a rotation and on stop.
     *
     * @param every    records between checkpoints, at least 1
     * @param interval the most time a written record waits for a checkpoint
     */
    public record Checkpoints(long every, Duration interval) {
        /** Every 1000 records or 60 s. */
        public static final Checkpoints DEFAULTS = new Checkpoints(1000, Duration.ofSeconds(60));

        public Checkpoints {
            Objects.requireNonNull(interval, "interval");
        }
    }
}
