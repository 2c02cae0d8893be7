package org.sluice.proxy.gateway;

import io.netty.channel.Channel;

/**
 * What the handlers of one client connection share: the exchange in flight and why reading is paused.
 * Event-loop confined, so plain fields.
 */
final class ConnectionContext {
    /** A request was read whole; the next one waits until this one's response is done (pipelining in order). */
    static final int AWAITING_RESPONSE = 1;
    /** The upstream connection is being acquired; body parts would pile up. */
    static final int CONNECTING = 1 << 1;
    /** The upstream socket's outbound buffer is full: backpressure. */
    static final int UPSTREAM_BUSY = 1 << 2;

    final Channel channel;
    final GatewayContext gateway;
    final String clientAddress;
    Exchange current;
    /** Why this connection is over a connection cap (its request is answered 503), or null. */
    String overCap;
    /**
     * An exchange that ends the connection has finished (its answer said Connection: close): the connection closes
     * once that answer is out, and nothing read after it, pipelined requests included, is decided or forwarded.
     */
    boolean ending;
    private int pauseReasons;
    /** Time spent with reading paused, so that a client is not held to a body rate while Sluice is not reading. */
    private long pausedNanos;
    private long pausedSince;
    private Runnable exchangeDoneListener = () -> { };
    private Runnable headArrivedListener = () -> { };

    ConnectionContext(Channel channel, GatewayContext gateway, String clientAddress) {
        this.channel = channel;
        this.gateway = gateway;
        this.clientAddress = clientAddress;
    }

    void pauseReading(int reason) {
        if (pauseReasons == 0) {
            channel.config().setAutoRead(false);
            pausedSince = System.nanoTime();
        }
        pauseReasons |= reason;
    }

    void resumeReading(int reason) {
        int before = pauseReasons;
        pauseReasons &= ~reason;
        if (before != 0 && pauseReasons == 0) {
            channel.config().setAutoRead(true);
            pausedNanos += System.nanoTime() - pausedSince;
        }
    }

    /** The total time reading has been paused on this connection, up to {@code now} (System.nanoTime()). */
    long pausedNanos(long now) {
        return pauseReasons == 0 ? pausedNanos : pausedNanos + now - pausedSince;
    }

    void onHeadArrived(Runnable listener) {
        this.headArrivedListener = listener;
    }

    /** A request head was decoded whole (or failed to decode): the request-head deadline no longer applies. */
    void headArrived() {
        headArrivedListener.run();
    }

    void onExchangeDone(Runnable listener) {
        this.exchangeDoneListener = listener;
    }

    /** Records the exchange (audit and metrics) exactly once and lets the next pipelined request in. */
    void finish(Exchange exchange) {
        if (!exchange.markFinished()) {
            return;
        }
        gateway.recorder().record(exchange, clientAddress, gateway.listener(),
                gateway.upstream() == null ? null : gateway.upstream().destination());
        gateway.inFlight().decrementAndGet();
        if (current == exchange) {
            current = null;
        }
        if (exchange.closeAfterResponse) {
            ending = true;
        }
        exchangeDoneListener.run();
    }
}
