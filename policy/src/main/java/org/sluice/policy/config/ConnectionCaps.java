package org.sluice.policy.config;

/**
 * Caps on client connections to the gateway listener; YAML {@code gateway: {maxConnections: 10000,
 * maxConnectionsPerClient: 256}}. A connection over a cap is answered 503 {@code unavailable} and closed.
 *
 * @param maxConnections          open client connections in all
 * @param maxConnectionsPerClient open client connections from one client IP address
 */
public record ConnectionCaps(int maxConnections, int maxConnectionsPerClient) {

    /** The values used for keys the config leaves out. */
    static final ConnectionCaps DEFAULTS = new ConnectionCaps(10_000, 256);
}
