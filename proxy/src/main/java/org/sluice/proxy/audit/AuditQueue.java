package org.sluice.proxy.audit;

import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * What the event loops hand the audit writer, and when the writer wakes for it: a bounded lock-free queue of
 * records and flush markers, many producers and one consumer, so that an offer never waits for the writer (a lock
 * shared with it could make an event loop do so).
 *
 * <p>Waking the writer once per record would cost the event loops a futex wake-up and a context switch per
 * request. So the writer never takes a batch at once: it lingers {@link #LINGER_NANOS} for more to come (a record
 * waits at most that long). While records keep coming it lingers again after each batch, on its own timer, and no
 * event loop wakes it. Only when a whole linger brought nothing does it go idle: it announces that through
 * {@link #idle} and parks; a producer that queues after the announcement sees it and wakes the writer, one that
 * queued before it is found by the second look.
 */
final class AuditQueue {
    /** How long the writer waits for more records after the first of a batch: the most a record is delayed. */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final Queue<Object> queue;
    private final int capacity;
    private final int maxBatch;
    /** Serialises taking from the queue once the writer has ended (the queue allows one consumer at a time). */
    private final Object lateDrain = new Object();
    private Thread writer;
    /**
     * True while the writer parks with nothing queued: only then does a producer wake it. Under load the writer is
     * busy or lingering (it wakes itself), and queuing a record costs the event loop no system call.
     */
    private volatile boolean idle;
    /** Writer only: records came in during the last linger, so linger again rather than go idle. */
    private boolean busy;

    AuditQueue(int capacity, int maxBatch) {
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.queue = PlatformDependent.newFixedMpscQueue(capacity); // rounded up to a power of two
    }

    /** The one thread that takes from the queue; set once, before anything is offered. */
    void consumer(Thread writer) {
        this.writer = writer;
    }

    /** Queues a record unless the queue holds its capacity; wakes an idle writer. */
    boolean offerRecord(AuditRecord record) {
        if (queue.size() >= capacity || !queue.offer(record)) {
            return false;
        }
        if (idle) {
            LockSupport.unpark(writer);
        }
        return true;
    }

    /** Queues a flush marker (it may take the room the capacity leaves); the caller then {@link #wake}s the writer. */
    boolean offerFlush(Flush flush) {
        return queue.offer(flush);
    }

    /** Wakes the writer, idle or lingering: a flush is waiting, or the log is closing. */
    void wake() {
        LockSupport.unpark(writer);
    }

    boolean hasRoom() {
        return queue.size() < capacity;
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Writer only. */
    Object poll() {
        return queue.poll();
    }

    /** True while the writer is parked with nothing queued, waiting to be woken (tests). */
    boolean writerIdle() {
        return idle;
    }

    /**
     * Writer only: returns when there is something to take, when the writer's next timed duty is due
     * ({@code nanosToDuty}, asked at each wait), or once {@code closing} holds.
     */
    void awaitWork(BooleanSupplier closing, LongSupplier nanosToDuty) {
        if (closing.getAsBoolean()) {
            return;
        }
        if (!queue.isEmpty()) {
            lingerForMore(closing, nanosToDuty); // records came in while the last batch was written
            return;
        }
        if (busy) {
            LockSupport.parkNanos(this, Math.min(LINGER_NANOS, nanosToDuty.getAsLong()));
            busy = !queue.isEmpty();
            return;
        }
        idle = true;
        try {
            if (queue.isEmpty() && !closing.getAsBoolean()) {
                LockSupport.parkNanos(this, nanosToDuty.getAsLong());
            }
        } finally {
            idle = false;
        }
        lingerForMore(closing, nanosToDuty); // woken by the first record of a burst
    }

    /** Waits one linger for more records to join those queued, unless a batch is full or a flush is waiting. */
    private void lingerForMore(BooleanSupplier closing, LongSupplier nanosToDuty) {
        if (!closing.getAsBoolean() && !queue.isEmpty() && queue.size() < maxBatch - 1
                && !(queue.peek() instanceof Flush)) {
            LockSupport.parkNanos(this, Math.min(LINGER_NANOS, nanosToDuty.getAsLong()));
        }
        busy = !queue.isEmpty();
    }

    /**
     * Once the writer has ended: empties the queue, fails the flush markers in it and returns the records found,
     * which nobody will write. The writer's own last look and a producer that raced with it take turns, so each
     * record is counted once, by whoever takes it.
     */
    long drainLate() {
        long records = 0;
        synchronized (lateDrain) {
            for (Object item; (item = queue.poll()) != null; ) {
                if (item instanceof AuditRecord) {
                    records++;
                } else if (item instanceof Flush flush) {
                    flush.complete(false);
                }
            }
        }
        return records;
    }

    /** A marker in the queue: everything ahead of it is written and forced when it is reached. */
    static final class Flush {
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
