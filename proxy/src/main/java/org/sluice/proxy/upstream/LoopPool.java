package org.sluice.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The keep-alive connections of one event loop to the central server, used only from that loop, so it needs
 * no locks. At most {@code max} connections are open; further acquires wait (at most {@code maxWaiting} of
 * them, each for at most {@code waitMillis}) until one is released or closed. Idle connections are reused
 * most recently used first, so a quiet period lets the others time out at the server rather than here.
 */
final class LoopPool {
    private final EventLoop loop;
    private final Dialer dialer;
    private final Predicate<Channel> reusable;
    private final int max;
    private final int maxWaiting;
    private final long waitMillis;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private int open;
    private boolean closed;

    /** Opens one new connection on a loop: resolves, checks and connects; the future completes on that loop. */
    interface Dialer {
        Future<Channel> dial(EventLoop loop);
    }

    /** reusable: whether an idle connection may serve another exchange (e.g. its address is still allowed). */
    LoopPool(EventLoop loop, Dialer dialer, Predicate<Channel> reusable, int max, int maxWaiting, long waitMillis) {
        this.loop = loop;
        this.dialer = dialer;
        this.reusable = reusable;
        this.max = max;
        this.maxWaiting = maxWaiting;
        this.waitMillis = waitMillis;
    }

    /** Must be called on {@link #loop}. An idle connection comes back as an already completed future. */
    Future<Channel> acquire() {
        Channel channel;
        while ((channel = idle.pollLast()) != null) {
            if (channel.isActive() && reusable.test(channel)) {
                return loop.newSucceededFuture(channel);
            }
            channel.close(); // its close listener frees the slot
        }
        Promise<Channel> promise = loop.newPromise();
        if (closed) {
            promise.setFailure(new IllegalStateException("Sluice is shutting down"));
        } else if (open < max) {
            connect(promise);
        } else if (waiting.size() < maxWaiting) {
            Waiter waiter = new Waiter(promise);
            waiter.timeout = loop.schedule(() -> expire(waiter), waitMillis, TimeUnit.MILLISECONDS);
            waiting.add(waiter);
        } else {
            promise.setFailure(new IllegalStateException("all " + max + " connections to the central server are busy"
                    + " and " + maxWaiting + " requests already wait for one (maxConnectionsPerLoop)"));
        }
        return promise;
    }

    /** Must be called on {@link #loop}, after a complete exchange; a closed connection is simply forgotten. */
    void release(Channel channel) {
        if (!channel.isActive() || closed) {
            channel.close();
            return;
        }
        Waiter waiter;
        while ((waiter = waiting.poll()) != null) {
            waiter.timeout.cancel(false);
            if (waiter.promise.trySuccess(channel)) {
                return;
            }
        }
        idle.addLast(channel);
    }

    /** Closes the idle connections and refuses new acquires; connections in use close when they are released. */
    void close() {
        closed = true;
        Waiter waiter;
        while ((waiter = waiting.poll()) != null) {
            waiter.timeout.cancel(false);
            waiter.promise.tryFailure(new IllegalStateException("Sluice is shutting down"));
        }
        Channel channel;
        while ((channel = idle.poll()) != null) {
            channel.close();
        }
    }

    private void connect(Promise<Channel> promise) {
        connect(promise, true);
    }

    private void connect(Promise<Channel> promise, boolean mayRetry) {
        open++;
        dialer.dial(loop).addListener((FutureListener<Channel>) f -> {
            if (f.isSuccess()) {
                Channel channel = f.getNow();
                channel.closeFuture().addListener((ChannelFutureListener) c -> closed(channel));
                if (!promise.trySuccess(channel)) {
                    release(channel); // the acquirer gave up meanwhile
                }
                return;
            }
            if (mayRetry && closedBeforeConnecting(f.cause()) && !closed) {
                // With epoll, a socket that reuses the descriptor of one closed moments ago on this loop can be
                // handed that socket's last event and closed before it connects; a second socket does not inherit
                // it. Seen under load as about one 502 in six when the central server closed after each answer.
                open--;
                connect(promise, false);
                return;
            }
            promise.tryFailure(f.cause());
            freed();
        });
    }

    private static boolean closedBeforeConnecting(Throwable cause) {
        return cause instanceof ClosedChannelException || cause instanceof NotYetConnectedException;
    }

    /** A connection closed (idle or in use): its slot can serve the next waiter. */
    private void closed(Channel channel) {
        idle.remove(channel);
        freed();
    }

    /** A slot is free again: a connection closed, or a dial failed before there was one. */
    private void freed() {
        open--;
        Waiter waiter = waiting.poll();
        if (waiter != null) {
            waiter.timeout.cancel(false);
            connect(waiter.promise);
        }
    }

    private void expire(Waiter waiter) {
        if (waiting.remove(waiter)) {
            waiter.promise.tryFailure(new IllegalStateException("no connection to the central server became free within "
                    + waitMillis + " ms (maxConnectionsPerLoop " + max + ")"));
        }
    }

    private static final class Waiter {
        final Promise<Channel> promise;
        ScheduledFuture<?> timeout;

        Waiter(Promise<Channel> promise) {
            this.promise = promise;
        }
    }
}
