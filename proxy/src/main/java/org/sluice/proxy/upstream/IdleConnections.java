package org.sluice.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.sluice.policy.Destination;

/**
 * Kept-alive connections of one event loop to forward-listener destinations, by destination, used only from that
 * loop. Bounded per destination and per loop; a connection idle longer than {@link #MAX_IDLE_NANOS} is closed rather
 * than reused (servers time idle connections out, often without Sluice noticing in time). A connection is handed
 * out again only to the same destination, and only while the policy in force still allows its address.
 */
final class IdleConnections {
    static final int MAX_PER_DESTINATION = 64;
    static final int MAX_PER_LOOP = 1024;
    static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final AttributeKey<Long> IDLE_SINCE = AttributeKey.valueOf(IdleConnections.class, "idleSince");

    private final EventLoop loop;
    private final Predicate<Channel> stillAllowed;
    private final Map<Destination, ArrayDeque<Channel>> idle = new HashMap<>();
    private int count;
    private boolean sweepScheduled;

    IdleConnections(EventLoop loop, Predicate<Channel> stillAllowed) {
        this.loop = loop;
        this.stillAllowed = stillAllowed;
    }

    /** An idle connection to destination that may serve another request, or null. */
    Channel poll(Destination destination) {
        ArrayDeque<Channel> queue = idle.get(destination);
        if (queue == null) {
            return null;
        }
        long now = System.nanoTime();
        Channel channel;
        while ((channel = queue.pollLast()) != null) {
            count--;
            if (channel.isActive() && now - channel.attr(IDLE_SINCE).get() < MAX_IDLE_NANOS
                    && stillAllowed.test(channel)) {
                break;
            }
            channel.close();
        }
        if (queue.isEmpty()) {
            idle.remove(destination);
        }
        return channel;
    }

    /** Keeps channel for the next request to destination, or closes it when the pool is full. */
    void offer(Destination destination, Channel channel) {
        ArrayDeque<Channel> queue = idle.computeIfAbsent(destination, d -> new ArrayDeque<>(2));
        if (!channel.isActive() || queue.size() >= MAX_PER_DESTINATION || count >= MAX_PER_LOOP) {
            if (queue.isEmpty()) {
                idle.remove(destination);
            }
            channel.close();
            return;
        }
        channel.attr(IDLE_SINCE).set(System.nanoTime());
        queue.addLast(channel);
        count++;
        scheduleSweep();
    }

    /** Called once per new connection: if the server closes it while it is idle, it leaves the pool at once. */
    void track(Destination destination, Channel channel) {
        channel.closeFuture().addListener((ChannelFutureListener) f -> remove(destination, channel));
    }

    private void remove(Destination destination, Channel channel) {
        ArrayDeque<Channel> queue = idle.get(destination);
        if (queue != null && queue.remove(channel)) {
            count--;
            if (queue.isEmpty()) {
                idle.remove(destination);
            }
        }
    }

    /** Closes connections idle too long, every few seconds while any are kept. */
    private void scheduleSweep() {
        if (sweepScheduled) {
            return;
        }
        sweepScheduled = true;
        loop.schedule(this::sweep, MAX_IDLE_NANOS / 4, TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        sweepScheduled = false;
        long now = System.nanoTime();
        Iterator<ArrayDeque<Channel>> queues = idle.values().iterator();
        while (queues.hasNext()) {
            ArrayDeque<Channel> queue = queues.next();
            Iterator<Channel> channels = queue.iterator();
            while (channels.hasNext()) {
                Channel channel = channels.next();
                if (now - channel.attr(IDLE_SINCE).get() >= MAX_IDLE_NANOS) {
                    channels.remove();
                    count--;
                    channel.close();
                }
            }
            if (queue.isEmpty()) {
                queues.remove();
            }
        }
        if (count > 0) {
            scheduleSweep();
        }
    }

    /** Closes every idle connection (Sluice is stopping). */
    void close() {
        // Emptied first: each close runs the connection's close listener, which would edit the queues under us.
        List<Channel> all = new ArrayList<>(count);
        idle.values().forEach(all::addAll);
        idle.clear();
        count = 0;
        all.forEach(Channel::close);
    }

    int size() {
        return count;
    }
}
