package org.sluice.proxy.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Test sink: keeps what it is given, fails or blocks on command, and records how it was called. */
final class ScriptedSink implements AuditSink {

    enum Failure { NONE, IO, RUNTIME }

    volatile Failure failure = Failure.NONE;
    volatile boolean failForce;
    /** When set, write() blocks until it is counted down (bounded), after counting down {@link #entered}. */
    volatile CountDownLatch gate;
    final CountDownLatch entered = new CountDownLatch(1);
    final AtomicInteger writeAttempts = new AtomicInteger();
    final AtomicInteger forces = new AtomicInteger();
    volatile boolean closed;
    volatile Thread lastWriter;
    /** "write" and "force" for each successful call, in order. */
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> attemptNanos = new ArrayList<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    @Override
    public void write(ByteBuffer batch) throws IOException {
        lastWriter = Thread.currentThread();
        synchronized (this) {
            attemptNanos.add(System.nanoTime());
        }
        writeAttempts.incrementAndGet();
        CountDownLatch g = gate;
        if (g != null) {
            entered.countDown();
            try {
                if (!g.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("test gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the gate");
            }
        }
        switch (failure) {
            case IO -> throw new IOException("injected write failure");
            case RUNTIME -> throw new UncheckedIOException(new IOException("injected sink bug"));
            default -> { }
        }
        byte[] b = new byte[batch.remaining()];
        batch.get(b);
        synchronized (this) {
            written.write(b, 0, b.length);
        }
        events.add("write");
    }

    @Override
    public void force() throws IOException {
        if (failForce) {
            throw new IOException("injected force failure");
        }
        forces.incrementAndGet();
        events.add("force");
    }

    @Override
    public void close() {
        closed = true;
    }

    synchronized byte[] bytes() {
        return written.toByteArray();
    }

    synchronized List<Long> attemptNanos() {
        return new ArrayList<>(attemptNanos);
    }

    List<String> ids() throws IOException {
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> line : JsonLines.parse(bytes())) {
            ids.add((String) line.get("id"));
        }
        return ids;
    }
}
