package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When and how the active audit file is rotated: once it holds {@code maxBytes}, or once its first record is
 * {@code interval} old, it is renamed ({@link RotatedFiles}) and a new file is started; with {@code compress} the
 * renamed file is then gzipped off the writer thread. The writer decides where in the chain this happens (after a
 * checkpoint, with everything before it written); this class keeps the active file's size and age and does the
 * renaming. Writer thread only.
 */
final class Rotation {

    private static final Logger LOG = LoggerFactory.getLogger(Rotation.class);
    /** After a failed rename, the next attempt waits this long (the writer keeps appending meanwhile). */
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final FileAuditSink sink;
    private final RotatedFiles names;
    private final long maxBytes;
    private final long intervalMillis;
    private final AuditCompressor compressor;  // null: rotated files stay plain
    private long bytes;
    private long firstSeq;                     // 0: the active file holds no record yet
    private long startMillis;
    private long retryAtNanos = System.nanoTime();
    private boolean failing;

    /**
     * @param found where start-up found the active file (size, first record)
     */
    Rotation(FileAuditSink sink, RotatedFiles names, long maxBytes, long intervalMillis, AuditCompressor compressor,
             ChainRecovery.Found found) {
        if (maxBytes < 1 || intervalMillis < 1) {
            throw new IllegalArgumentException("rotation needs maxBytes and an interval of at least 1");
        }
        this.sink = sink;
        this.names = names;
        this.maxBytes = maxBytes;
        this.intervalMillis = intervalMillis;
        this.compressor = compressor;
        this.bytes = found.activeBytes();
        this.firstSeq = found.activeFirstSeq();
        this.startMillis = found.activeStartMillis();
    }

    /** Counts lines written to the active file; the first of them, in an empty file, starts its age. */
    void written(long n, long batchFirstSeq, long nowMillis) {
        if (firstSeq == 0) {
            firstSeq = batchFirstSeq;
            startMillis = nowMillis;
        }
        bytes += n;
    }

    /** True when the active file with {@code pending} more bytes reaches maxBytes (and no failed attempt is recent). */
    boolean dueBySize(long pending) {
        return bytes + pending >= maxBytes && mayTry();
    }

    /** True when the active file's first record is interval old. */
    boolean dueByAge(long nowMillis) {
        return firstSeq > 0 && nowMillis - startMillis >= intervalMillis && mayTry();
    }

    /** Nanoseconds until {@link #dueByAge} turns true; Long.MAX_VALUE while the active file holds no record. */
    long nanosUntilDue(long nowMillis) {
        if (firstSeq == 0) {
            return Long.MAX_VALUE;
        }
        long byAge = TimeUnit.MILLISECONDS.toNanos(Math.max(0, startMillis + intervalMillis - nowMillis));
        return Math.max(byAge, retryAtNanos - System.nanoTime());
    }

    /** A rotation that could not be prepared (the force before it failed) is tried again later. */
    void postpone() {
        retryAtNanos = System.nanoTime() + RETRY_NANOS;
    }

    /**
     * Renames the active file and starts a new one; everything written must be in the file already. A failed
     * rename is logged (once until one works) and tried again later; the log goes on in the old file meanwhile.
     */
    void rotate() {
        if (firstSeq == 0) {
            return; // nothing but fragments or nothing at all: not worth a file
        }
        Path target = names.nameFor(startMillis, firstSeq);
        try {
            sink.rotateTo(target);
        } catch (IOException | RuntimeException e) {
            postpone();
            if (!failing) {
                LOG.error("could not rotate the audit log {} to {}; appending to it meanwhile and trying again every "
                        + "{} s", sink.path(), target.getFileName(), TimeUnit.NANOSECONDS.toSeconds(RETRY_NANOS), e);
            }
            failing = true;
            return;
        }
        if (failing) {
            LOG.warn("audit log rotated again after failed attempts");
            failing = false;
        }
        LOG.info("audit log rotated: {} holds seq {} on", target.getFileName(), firstSeq);
        bytes = 0;
        firstSeq = 0;
        startMillis = 0;
        if (compressor != null) {
            compressor.submit(target);
        }
    }

    /** Lets queued compressions finish, waiting at most nanos. */
    void close(long nanos) {
        if (compressor != null && !compressor.close(nanos)) {
            LOG.warn("rotated audit files still being compressed at stop stay plain; the next start compresses them");
        }
    }

    private boolean mayTry() {
        return System.nanoTime() - retryAtNanos >= 0;
    }
}
