package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends records as JSON Lines on its own thread from a bounded queue; never blocks the caller.
 *
 * <p>The writer thread takes whatever is queued (up to {@value #MAX_BATCH} records), encodes it into one
 * buffer and hands it to the sink in one write. When a write fails the batch is kept and written again with
 * backoff ({@code 50 ms} doubling up to {@code 1 s}); meanwhile {@link #accepting()} is false, new records
 * queue up behind the kept batch (nothing is reordered) and, once the queue is full, are counted as
 * {@link #dropped()}. Data is forced to disk at most once a second, on {@link #flush} and on {@link #close}.
 */
public final class AuditLog implements AutoCloseable {

    static final int MAX_BATCH = 512;
    static final long FORCE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long the writer waits for more records after the first of a batch: the most a record is delayed. */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    static final String THREAD_NAME = "sluice-audit-writer";

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final Runnable NOTHING = () -> { };
    /** Wakes an idle writer so that it notices {@link #closing}. */
    private static final Object STOP = new Object();

    private final ArrayBlockingQueue<Object> queue;
    private final AuditSink sink;
    private final Runnable onWriteFailure;
    private final Thread writer;
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private volatile boolean lastWriteOk = true;
    private volatile boolean closing;
    private volatile boolean abandoned;
    private volatile boolean finished;
    private volatile boolean closedCleanly;

    // Writer thread only.
    private final AuditLineEncoder encoder = new AuditLineEncoder();
    private final ArrayDeque<Object> batch = new ArrayDeque<>(MAX_BATCH);
    private boolean unforced;
    private long lastForceNanos = System.nanoTime();
    private long failureStreak;

    private AuditLog(AuditSink sink, int queueCapacity, Runnable onWriteFailure) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, was " + queueCapacity);
        }
        this.sink = Objects.requireNonNull(sink, "sink");
        this.onWriteFailure = Objects.requireNonNull(onWriteFailure, "onWriteFailure");
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.writer = new Thread(this::run, THREAD_NAME);
        writer.setDaemon(true); // a forgotten close() must not keep the JVM alive; close() still drains
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
        FileAuditSink sink = FileAuditSink.open(path);
        try {
            return to(sink, queueCapacity, onWriteFailure);
        } catch (RuntimeException e) {
            sink.close();
            throw e;
        }
    }

    /** An audit log writing to any sink (tests inject failing ones). */
    public static AuditLog to(AuditSink sink, int queueCapacity) {
        return to(sink, queueCapacity, NOTHING);
    }

    /** Same as {@link #to(AuditSink, int)} with a hook run on the writer thread after each failed attempt. */
    public static AuditLog to(AuditSink sink, int queueCapacity, Runnable onWriteFailure) {
        AuditLog log = new AuditLog(sink, queueCapacity, onWriteFailure);
        log.writer.start();
        return log;
    }

    /** True while the last write succeeded and the queue has room: the proxy refuses new requests (503) otherwise. */
    public boolean accepting() {
        return lastWriteOk && !closing && !finished && queue.remainingCapacity() > 0;
    }

    /** Non-blocking offer. A record that cannot be queued is counted as dropped (never blocks an event loop). */
    public void record(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        if (closing || !queue.offer(record)) {
            dropped.increment();
            return;
        }
        if (finished && queue.remove(record)) {
            dropped.increment(); // raced with close: the writer has gone and nobody would write it
        }
    }

    /**
     * Waits (bounded) until everything queued before this call has been written and forced to disk;
     * true if it all was. False on timeout, e.g. while writes are failing.
     */
    public boolean flush(Duration timeout) {
        if (Thread.currentThread() == writer) {
            throw new IllegalStateException("flush() from the audit writer thread would wait for itself");
        }
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        FlushRequest request = new FlushRequest();
        try {
            if (finished) {
                return writerEnded(deadline) && closedCleanly;
            }
            if (!queue.offer(request, Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                return false;
            }
            if (finished && queue.remove(request)) {
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

    /** Records not written: offered while the queue was full or after close, or still queued when close gave up. */
    public long dropped() {
        return dropped.sum();
    }

    /** Drains the queue (waiting at most 5 s), flushes, forces to disk, stops the thread and closes the sink. */
    @Override
    public void close() {
        close(CLOSE_WAIT);
    }

    /** {@link #close()} with another bound on the drain (tests). */
    void close(Duration maxWait) {
        long nanos = Math.max(0, maxWait.toNanos());
        if (!closeStarted.compareAndSet(false, true)) {
            awaitWriter(nanos);
            return;
        }
        closing = true;
        queue.offer(STOP);
        if (!awaitWriter(nanos)) {
            abandoned = true;
            writer.interrupt(); // also unblocks a write stuck in an interruptible channel
            awaitWriter(nanos);
        }
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
                Object first = queue.poll(pollNanos(), TimeUnit.NANOSECONDS);
                if (first != null) {
                    lingerForMore(first);
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    process();
                }
                if (!abandoned) {
                    forceIfDue(false);
                }
            }
            if (!abandoned) {
                forceIfDue(true);
            }
        } catch (InterruptedException e) {
            // only close() interrupts, after it has given up waiting for the drain
        } finally {
            finish();
        }
    }

    /**
     * Under load, waking this thread and writing once per record would cost the event loops a futex wake-up and
     * a context switch per request; a short wait lets a burst of records share one wake-up and one write.
     */
    private void lingerForMore(Object first) {
        if (first instanceof AuditRecord && !closing && queue.size() < MAX_BATCH - 1) {
            LockSupport.parkNanos(this, LINGER_NANOS);
        }
    }

    private long pollNanos() {
        if (!unforced) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, lastForceNanos + FORCE_INTERVAL_NANOS - System.nanoTime());
    }

    private void process() {
        Object item;
        while (!abandoned && (item = batch.poll()) != null) {
            if (item instanceof AuditRecord record) {
                encode(record);
            } else if (item instanceof FlushRequest request) {
                if (!writeEncoded()) {
                    batch.addFirst(request);
                    return;
                }
                request.complete(forceIfDue(true));
            }
            // STOP needs no action: the loop condition sees `closing`
        }
        writeEncoded();
    }

    private void encode(AuditRecord record) {
        try {
            encoder.append(record);
        } catch (IOException | RuntimeException e) {
            // Cannot happen with a memory buffer and string fields; if it does, the record cannot be written.
            dropped.increment();
            LOG.error("audit record {} could not be encoded and is dropped", record.id(), e);
        }
    }

    /** Writes the encoded records, retrying with backoff until it works; false only if close() gave up. */
    private boolean writeEncoded() {
        if (encoder.records() == 0) {
            return true;
        }
        ByteBuffer encoded = encoder.batch();
        long backoff = MIN_BACKOFF_NANOS;
        while (true) {
            try {
                sink.write(encoded.duplicate());
                break;
            } catch (IOException | RuntimeException e) { // a faulty sink must not kill the writer: treat as failed
                failed("write", e);
                if (!pause(backoff)) {
                    return false;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            }
        }
        encoder.reset();
        unforced = true;
        recovered();
        return true;
    }

    /** Forces when due (or now); true if nothing written is left unforced. */
    private boolean forceIfDue(boolean now) {
        if (!unforced) {
            return true;
        }
        long t = System.nanoTime();
        if (!now && t - lastForceNanos < FORCE_INTERVAL_NANOS) {
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
            LOG.error("audit log {} failed; refusing new requests and retrying until it works", what, e);
        } else {
            LOG.debug("audit log {} failed again (attempt {})", what, failureStreak, e);
        }
        onWriteFailure.run();
    }

    private void recovered() {
        if (failureStreak > 0) {
            LOG.warn("audit log writable again after {} failed attempts", failureStreak);
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
        queue.drainTo(batch);
        long lost = encoder.records();
        encoder.reset();
        for (Object item : batch) {
            if (item instanceof AuditRecord) {
                lost++;
            } else if (item instanceof FlushRequest request) {
                request.complete(false);
            }
        }
        batch.clear();
        dropped.add(lost);
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
    }

    /** A marker in the queue: everything ahead of it is written and forced when it is reached. */
    private static final class FlushRequest {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile boolean ok;

        void complete(boolean success) {
            ok = success;
            done.countDown();
        }

        boolean await(long nanos) throws InterruptedException {
            return done.await(Math.max(0, nanos), TimeUnit.NANOSECONDS) && ok;
        }
    }
}
