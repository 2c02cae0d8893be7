package org.sluice.proxy.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.sluice.policy.config.ConnectionCaps;

/**
 * Open gateway connections, in all and per client IP address, shared by every event loop. Exact under
 * concurrency; a client's entry is removed with its last connection, so the map holds only clients with a
 * connection open. A refused connection counts while it is open: the caps bound sockets, not admitted ones.
 */
public final class ConnectionCounts {

    /** Which cap a connection went over; {@code label} is the metric's {@code reason}. */
    enum Cap {
        MAX_CONNECTIONS("max_connections"),
        MAX_CONNECTIONS_PER_CLIENT("max_connections_per_client");

        final String label;

        Cap(String label) {
            this.label = label;
        }
    }

    private final ConnectionCaps caps;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, Integer> perClient = new ConcurrentHashMap<>();

    public ConnectionCounts(ConnectionCaps caps) {
        this.caps = caps;
    }

    ConnectionCaps caps() {
        return caps;
    }

    /**
     * Counts a connection from {@code client} (null when the address is not an IP: only the total applies) and
     * says which cap it is over, or null. Every call must be matched by one {@link #closed}.
     */
    Cap opened(String client) {
        int all = total.incrementAndGet();
        int mine = client == null ? 0 : perClient.merge(client, 1, Integer::sum);
        if (all > caps.maxConnections()) {
            return Cap.MAX_CONNECTIONS;
        }
        if (mine > caps.maxConnectionsPerClient()) {
            return Cap.MAX_CONNECTIONS_PER_CLIENT;
        }
        return null;
    }

    void closed(String client) {
        total.decrementAndGet();
        if (client != null) {
            perClient.computeIfPresent(client, (ip, n) -> n == 1 ? null : n - 1);
        }
    }

    /** Connections open now. */
    public int total() {
        return total.get();
    }

    /** Client addresses with a connection open now. */
    public int clients() {
        return perClient.size();
    }
}
