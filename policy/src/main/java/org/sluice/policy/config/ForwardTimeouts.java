package org.sluice.policy.config;

import java.time.Duration;

/**
 * Forward listener timeouts; YAML {@code forward.timeouts: {connect: 5s, response: 30s, idle: 60s,
 * requestHeader: 10s, minBodyRate: 1KiB, clientHello: 10s, tunnelIdle: 5m}}.
 *
 * @param connect       TCP (and, for plain HTTP, nothing more) connect to the destination
 * @param response      from the request sent to the response head arriving (else 504)
 * @param idle          a client keep-alive connection with no request in flight is closed after this
 * @param requestHeader a client that has begun a request head must complete it within this (else 400 and close)
 * @param minBodyRate   bytes per second a request body must average once {@link GatewayTimeouts#BODY_RATE_GRACE}
 *                      has passed (else the connection is closed); 0 for no minimum
 * @param clientHello   after a CONNECT is accepted, the client's TLS ClientHello must arrive within this
 * @param tunnelIdle    a tunnel with no bytes in either direction for this long is closed
 */
public record ForwardTimeouts(Duration connect, Duration response, Duration idle, Duration requestHeader,
                              long minBodyRate, Duration clientHello, Duration tunnelIdle) {

    /** The values used for keys the config leaves out. */
    static final ForwardTimeouts DEFAULTS = new ForwardTimeouts(
            Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10), 1024,
            Duration.ofSeconds(10), Duration.ofMinutes(5));
}
