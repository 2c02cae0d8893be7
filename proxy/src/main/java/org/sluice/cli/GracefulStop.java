package org.sluice.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.sluice.proxy.SluiceServer;

/** Shuts the server down once, whoever asks first (main thread or shutdown hook); later callers wait for it. */
final class GracefulStop implements Runnable {

    private final SluiceServer server;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    GracefulStop(SluiceServer server) {
        this.server = server;
    }

    @Override
    public void run() {
        if (started.compareAndSet(false, true)) {
            try {
                server.shutdownGracefully();
            } finally {
                done.countDown();
            }
            return;
        }
        boolean interrupted = false;
        // A shutdown hook that returned early would let the JVM halt in the middle of the drain.
        while (done.getCount() > 0) {
            try {
                done.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
