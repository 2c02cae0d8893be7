package org.sluice.proxy.audit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.sluice.policy.config.AuditConfig;
import org.sluice.policy.config.AuditConfig.Fsync;
import org.sluice.policy.config.AuditConfig.OnFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends records as hash-chained JSON Lines on its own thread from a bounded queue ({@link AuditQueue}, which
 * also decides when the writer wakes); never blocks the caller.
 *
 * <p>The writer thread takes whatever is queued (up to {@value #MAX_BATCH} records), encodes and chains it into
 * one buffer ({@link AuditLineEncoder}) and hands it to the sink in one write. When a write fails the batch is
 * kept and written again with backoff ({@code 50 ms} doubling up to {@code 1 s}); new records queue up behind it
 * (nothing is reordered) and, once the queue is full, are counted as {@link #dropped()}. Meanwhile
 * {@link #accepting()} is false, unless the log was built with {@code onFailure: allow}.
 *
 * <p>Everything about the chain happens on the writer thread too: signed checkpoints (with a signing key) every
 * so many records, after an interval, before a rotation and at close; rotation of the file by size and age; the
 * force to disk after every batch ({@code always}), at most once per interval ({@code interval}, also on
 * {@link #flush} and {@link #close}) or never ({@code never}); and the copy of every line to standard output.
 */
public final class AuditLog implements AutoCloseable {

    static final int MAX_BATCH = 512;
    /** Records that may wait for the writer (the proxy refuses new requests with 503 while the queue is full). */
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;
    static final long LINGER_NANOS = AuditQueue.LINGER_NANOS;
    static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    static final String THREAD_NAME = "sluice-audit-writer";

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final Runnable NOTHING = () -> { };
    /** How long flush() waits between attempts to queue its marker while the queue is full. */
    private static final long FLUSH_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private final AuditQueue queue;
    private final AuditSink sink;
    private final Rotation rotation;            // null: the sink is not rotated
    private final AuditLock lock;               // null: a sink, not a file
    private final Signing signing;              // null: no checkpoints
    private final LineCopy copy;                // null: no copy to standard output
    private final Fsync fsync;
    private final long fsyncIntervalNanos;
    private final boolean allowOnFailure;
    private final Runnable onWriteFailure;
    private final LongConsumer onDropped;
    private final Thread writer;
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final BooleanSupplier closingNow = () -> this.closing;
    private final LongSupplier nanosToDuty = this::pollNanos;
    private volatile boolean lastWriteOk = true;
    private volatile boolean closing;
    private volatile boolean abandoned;
    private volatile boolean finished;
    private volatile boolean closedCleanly;

    // Writer thread only.
    private final AuditLineEncoder encoder;
    private final ArrayDeque<Object> batch = new ArrayDeque<>(MAX_BATCH);
    private boolean unforced;
    private long lastForceNanos = System.nanoTime();
    private long failureStreak;
    private long droppedBeforeFailure;
    /** True when the last line written or encoded is a checkpoint, or nothing was ever written. */
    private boolean signedToEnd;
    private long recordsSinceCheckpoint;
    private long lastCheckpointNanos = System.nanoTime();

    AuditLog(AuditLogBuilder b, AuditSink sink, Rotation rotation, ChainPosition start, boolean signedToEnd,
             AuditLock lock) {
        this.lock = lock;
        this.sink = sink;
        this.rotation = rotation;
        this.signing = b.signingKey == null ? null : new Signing(b.signingKey, b.checkpoints);
        this.copy = b.copy == null ? null : new LineCopy(b.copy);
        this.fsync = b.fsync;
        this.fsyncIntervalNanos = b.fsyncInterval.toNanos();
        this.allowOnFailure = b.onFailure == OnFailure.ALLOW;
        this.onWriteFailure = b.onWriteFailure;
        this.onDropped = b.onDropped;
        this.queue = new AuditQueue(b.queueCapacity, MAX_BATCH);
        this.encoder = new AuditLineEncoder(b.identity(), b.hashQuery, start);
        this.signedToEnd = signedToEnd;
        this.writer = new Thread(this::run, THREAD_NAME);
        queue.consumer(writer);
        writer.setDaemon(true); // a forgotten close() must not keep the JVM alive; close() still drains
    }

    void start() {
        writer.start();
    }

    /** A log to configure; {@link AuditLogBuilder#open()} starts it. */
    public static AuditLogBuilder builder() {
        return new AuditLogBuilder();
    }

    /**
     * A log set up as the config says: its file, rotation, fsync, failure mode, identity ({@code job} and
     * {@code node}, else from env, else the host name), query hashing, standard output copy and signing key (read
     * now: IOException naming the file if it cannot be).
     */
    public static AuditLogBuilder builder(AuditConfig config, Map<String, String> env, Supplier<String> hostName)
            throws IOException {
        AuditLogBuilder b = new AuditLogBuilder()
                .path(config.path())
                .identity(AuditIdentity.resolve(config.job(), config.node(), env, hostName))
                .fsync(config.fsync(), config.fsyncInterval())
                .onFailure(config.onFailure())
                .hashQuery(config.query() == AuditConfig.Query.HASH)
                .rotation(config.rotate());
        if (config.stdout()) {
            b.copyTo(new FileOutputStream(FileDescriptor.out));
        }
        if (config.signingKeyFile() != null) {
            b.signing(SigningKeys.readPrivate(config.signingKeyFile()), config.checkpoint());
        }
        return b;
    }

    /** Opens (creating the parent folder and file if needed, appending) or throws IOException: start-up fails. */
    public static AuditLog open(Path path, int queueCapacity) throws IOException {
        return open(path, queueCapacity, NOTHING);
    }

    /**
     * Same as {@link #open(Path, int)}; {@code onWriteFailure} runs on the writer thread after every failed
     * write or force attempt (e.g. to count it in metrics) and must not block.
     */
    public static AuditLog open(Path path, int queueCapacity, Runnable onWriteFailure) throws IOException {
        return builder().path(path).queueCapacity(queueCapacity).onWriteFailure(onWriteFailure).open();
    }

    /** An audit log writing to any sink (tests inject failing ones); its chain starts at the genesis. */
    public static AuditLog to(AuditSink sink, int queueCapacity) {
        return to(sink, queueCapacity, NOTHING);
    }

    /** Same as {@link #to(AuditSink, int)} with a hook run on the writer thread after each failed attempt. */
    public static AuditLog to(AuditSink sink, int queueCapacity, Runnable onWriteFailure) {
        try {
            return builder().sink(sink).queueCapacity(queueCapacity).onWriteFailure(onWriteFailure).open();
        } catch (IOException e) {
            throw new IllegalStateException("a log over a given sink opens no file", e);
        }
    }

    /**
     * True when a new request may be served: the last write succeeded and the queue has room. The proxy refuses
     * new requests (503) otherwise. With {@code onFailure: allow}, true until the log closes.
     */
    public boolean accepting() {
        if (allowOnFailure) {
            return !closing && !finished;
        }
        return lastWriteOk && !closing && !finished && queue.hasRoom();
    }

    /** Non-blocking offer. A record that cannot be queued is counted as dropped (never blocks an event loop). */
    public void record(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        if (closing || !queue.offerRecord(record)) {
            drop(1);
            return;
        }
        if (finished) {
            long lost = queue.drainLate(); // raced with close: the writer has gone and nobody would write it
            if (lost > 0) {
                drop(lost);
            }
        }
    }

    /**
     * Waits (bounded) until everything queued before this call has been written and, unless fsync is
     * {@code never}, forced to disk; true if it all was. False on timeout, e.g. while writes are failing.
     */
    public boolean flush(Duration timeout) {
        if (Thread.currentThread() == writer) {
            throw new IllegalStateException("flush() from the audit writer thread would wait for itself");
        }
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        AuditQueue.Flush request = new AuditQueue.Flush();
        try {
            if (finished) {
                return writerEnded(deadline) && closedCleanly;
            }
            while (!queue.offerFlush(request)) {
                if (deadline - System.nanoTime() <= 0 || finished) {
                    return false;
                }
                LockSupport.parkNanos(this, FLUSH_RETRY_NANOS);
            }
            queue.wake(); // also cuts a linger short: the caller is waiting
            if (finished) {
                long lost = queue.drainLate();
                if (lost > 0) {
                    drop(lost);
                }
                return writerEnded(deadline) && closedCleanly; // raced with close: the writer has gone
            }
            return request.await(deadline - System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Total failed write and force attempts (each retry of a failing batch counts). */
    public long writeFailures() {
        return writeFailures.get();
    }

    /** True while the writer is parked with nothing queued, waiting to be woken (tests). */
    boolean writerIdle() {
        return queue.writerIdle();
    }

    /** Records waiting for the writer now. */
    public int queued() {
        return queue.size();
    }

    /** Records not written: offered while the queue was full or after close, or still queued when close gave up. */
    public long dropped() {
        return dropped.sum();
    }

    /**
     * Drains the queue (waiting at most 5 s), writes a last checkpoint when signing, forces to disk (unless fsync
     * is never), stops the thread, closes the sink and lets rotated files finish compressing (within the same
     * wait).
     */
    @Override
    public void close() {
        close(CLOSE_WAIT);
    }

    /** {@link #close()} with another bound on the drain (tests). */
    void close(Duration maxWait) {
        long nanos = Math.max(0, maxWait.toNanos());
        long deadline = System.nanoTime() + nanos;
        if (!closeStarted.compareAndSet(false, true)) {
            awaitWriter(nanos);
            return;
        }
        closing = true;
        queue.wake(); // an idle writer notices `closing`
        if (!awaitWriter(nanos)) {
            abandoned = true;
            writer.interrupt(); // also unblocks a write stuck in an interruptible channel
            awaitWriter(nanos);
        }
        if (rotation != null) {
            rotation.close(deadline - System.nanoTime());
        }
    }

    private void drop(long n) {
        dropped.add(n);
        onDropped.accept(n);
    }

    private boolean writerEnded(long deadline) throws InterruptedException {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        writer.join(Math.max(1, millis));
        return !writer.isAlive();
    }

    /** Waits for the writer to end, at most {@code nanos}; an interrupt does not cut the drain short. */
    private boolean awaitWriter(long nanos) {
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        for (long left = nanos; writer.isAlive() && left > 0; left = deadline - System.nanoTime()) {
            try {
                writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return !writer.isAlive();
    }

    // ---- writer thread ----

    private void run() {
        try {
            while (!abandoned && !(closing && queue.isEmpty())) {
                queue.awaitWork(closingNow, nanosToDuty);
                for (Object item; batch.size() < MAX_BATCH && (item = queue.poll()) != null; ) {
                    batch.add(item);
                }
                if (!batch.isEmpty()) {
                    process();
                }
                if (!abandoned) {
                    housekeeping();
                }
            }
            if (!abandoned && signing != null && !signedToEnd) {
                checkpoint(); // the last line of a clean stop
                writeEncoded();
            }
            if (!abandoned) {
                forceIfDue(true);
            }
        } finally {
            Thread.interrupted(); // only close() interrupts, after it has given up waiting for the drain
            finish();
        }
    }

    /** Until the next timed duty: a force, a checkpoint or a rotation by age. */
    private long pollNanos() {
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        if (unforced && fsync == Fsync.INTERVAL) {
            wait = Math.min(wait, lastForceNanos + fsyncIntervalNanos - now);
        }
        if (signing != null && !signedToEnd) {
            wait = Math.min(wait, lastCheckpointNanos + signing.intervalNanos - now);
        }
        if (rotation != null) {
            wait = Math.min(wait, rotation.nanosUntilDue(System.currentTimeMillis()));
        }
        return Math.max(0, wait);
    }

    private void process() {
        Object item;
        while (!abandoned && (item = batch.poll()) != null) {
            if (item instanceof AuditRecord record) {
                if (encode(record) && rotation != null && rotation.dueBySize(encoder.size()) && !rotate()) {
                    return;
                }
            } else if (item instanceof AuditQueue.Flush request) {
                if (!writeEncoded()) {
                    batch.addFirst(request);
                    return;
                }
                request.complete(forceIfDue(true));
            }
        }
        writeEncoded();
    }

    /** The duties that come with time: a checkpoint after its interval, a rotation by age, a force. */
    private void housekeeping() {
        if (signing != null && !signedToEnd && System.nanoTime() - lastCheckpointNanos >= signing.intervalNanos) {
            checkpoint();
            if (!writeEncoded()) {
                return;
            }
        }
        if (rotation != null && rotation.dueByAge(System.currentTimeMillis()) && !rotate()) {
            return;
        }
        forceIfDue(false);
    }

    /** Encodes one record, and a checkpoint after it when one is due by count; false if it was dropped. */
    private boolean encode(AuditRecord record) {
        try {
            encoder.append(record);
        } catch (RuntimeException e) {
            // Cannot happen with a memory buffer and string fields; if it does, the record cannot be written.
            drop(1);
            LOG.error("audit record {} could not be encoded and is dropped", record.id(), e);
            return false;
        }
        signedToEnd = false;
        recordsSinceCheckpoint++;
        if (signing != null && recordsSinceCheckpoint % signing.every == 0) {
            checkpoint();
        }
        return true;
    }

    /** Appends a checkpoint signing everything before it. */
    private void checkpoint() {
        lastCheckpointNanos = System.nanoTime();
        try {
            encoder.appendCheckpoint(System.currentTimeMillis(), signing.keyId, signing.key);
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.error("an audit checkpoint could not be signed; the records before it wait for the next one", e);
            return;
        }
        signedToEnd = true;
        recordsSinceCheckpoint = 0;
    }

    /**
     * Closes the active file with a checkpoint and everything written (and forced, unless fsync is never), then
     * renames it and starts a new one. False only if close() gave up meanwhile.
     */
    private boolean rotate() {
        if (signing != null && !signedToEnd) {
            checkpoint();
        }
        if (!writeEncoded()) {
            return false;
        }
        if (fsync != Fsync.NEVER && !forceIfDue(true)) {
            rotation.postpone(); // the rotated file must be on disk whole; try again later
            return true;
        }
        rotation.rotate();
        return true;
    }

    /**
     * Writes the encoded lines (and with fsync always, forces them), retrying with backoff until it works; false
     * only if close() gave up.
     */
    private boolean writeEncoded() {
        if (encoder.lines() == 0) {
            return true;
        }
        ByteBuffer encoded = encoder.batch();
        long firstSeq = encoder.seq() - encoder.lines() + 1;
        boolean written = false;
        long backoff = MIN_BACKOFF_NANOS;
        while (true) {
            try {
                if (!written) {
                    sink.write(encoded.duplicate());
                    written = true;
                }
                if (fsync == Fsync.ALWAYS) {
                    sink.force(); // before the batch counts as written
                    lastForceNanos = System.nanoTime();
                }
                break;
            } catch (IOException | RuntimeException e) { // a faulty sink must not kill the writer: treat as failed
                failed(written ? "force" : "write", e);
                if (!pause(backoff)) {
                    if (written) {
                        wrote(encoded, firstSeq, true); // in the file, but not known to be on disk
                    }
                    return false;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            }
        }
        wrote(encoded, firstSeq, fsync == Fsync.INTERVAL);
        recovered();
        return true;
    }

    private void wrote(ByteBuffer encoded, long firstSeq, boolean leftUnforced) {
        if (rotation != null) {
            rotation.written(encoded.remaining(), firstSeq, System.currentTimeMillis());
        }
        if (copy != null) {
            copy.write(encoded.duplicate());
        }
        encoder.reset();
        unforced |= leftUnforced;
    }

    /** Forces when due (or now); true if nothing written is left unforced (always true with fsync never). */
    private boolean forceIfDue(boolean now) {
        if (!unforced) {
            return true;
        }
        long t = System.nanoTime();
        if (!now && t - lastForceNanos < fsyncIntervalNanos) {
            return true;
        }
        lastForceNanos = t; // also paces retries after a failed force
        try {
            sink.force();
        } catch (IOException | RuntimeException e) {
            failed("force", e);
            return false;
        }
        unforced = false;
        recovered();
        return true;
    }

    private void failed(String what, Exception e) {
        writeFailures.incrementAndGet();
        lastWriteOk = false;
        if (failureStreak++ == 0) {
            droppedBeforeFailure = dropped.sum();
            if (allowOnFailure) {
                LOG.warn("audit log {} failed; onFailure is allow, so requests are still forwarded while it retries, "
                        + "and records that find the queue full are dropped (sluice_audit_records_dropped_total)",
                        what, e);
            } else {
                LOG.error("audit log {} failed; refusing new requests and retrying until it works", what, e);
            }
        } else {
            LOG.debug("audit log {} failed again (attempt {})", what, failureStreak, e);
        }
        onWriteFailure.run();
    }

    private void recovered() {
        if (failureStreak > 0) {
            long lost = dropped.sum() - droppedBeforeFailure;
            if (lost > 0) {
                LOG.warn("audit log writable again after {} failed attempts; {} records were dropped meanwhile",
                        failureStreak, lost);
            } else {
                LOG.warn("audit log writable again after {} failed attempts", failureStreak);
            }
            failureStreak = 0;
        }
        lastWriteOk = true;
    }

    private boolean pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0 && !abandoned; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(this, left);
        }
        return !abandoned;
    }

    private void finish() {
        finished = true;
        long lost = encoder.records() + queue.drainLate();
        encoder.reset();
        for (Object item : batch) {
            if (item instanceof AuditRecord) {
                lost++;
            } else if (item instanceof AuditQueue.Flush request) {
                request.complete(false);
            }
        }
        batch.clear();
        if (lost > 0) {
            drop(lost);
        }
        closedCleanly = lost == 0 && !unforced;
        if (lost > 0) {
            LOG.error("{} audit records were not written before the audit log closed", lost);
        }
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            closedCleanly = false;
            LOG.error("closing the audit sink failed", e);
        }
        releaseLock();
    }

    /** After the sink is closed: from now on another Sluice may write the log. */
    private void releaseLock() {
        if (lock == null) {
            return;
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.warn("releasing the audit log's lock failed; it is released when this process ends", e);
        }
    }

    /** The checkpoint key and schedule. */
    private static final class Signing {
        final PrivateKey key;
        final String keyId;
        final long every;
        final long intervalNanos;

        Signing(PrivateKey key, AuditConfig.Checkpoints schedule) {
            this.key = key;
            this.keyId = AuditChain.keyId(SigningKeys.publicKeyOf(key));
            this.every = schedule.every();
            this.intervalNanos = schedule.interval().toNanos();
        }
    }
}
