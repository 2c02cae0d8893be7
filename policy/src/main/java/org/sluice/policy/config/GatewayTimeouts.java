package org.sluice.policy.config;

import java.time.Duration;

/**
 * Gateway timeouts; YAML {@code gateway.timeouts: {connect: 5s, response: 30s, idle: 60s, shutdownGrace: 10s,
 * requestHeader: 10s, minBodyRate: 1KiB}}.
 *
 * @param connect       TCP and TLS connect to the upstream
 * @param response      from the request sent to the response head arriving (else 504)
 * @param idle          a client keep-alive connection with no request in flight is closed after this
 * @param shutdownGrace how long SIGTERM waits for in-flight requests
 * @param requestHeader a client that has begun a request head must complete it within this (else 400 and close)
 * @param minBodyRate   bytes per second a request body must average once {@link #BODY_RATE_GRACE} has passed
 *                      (else the connection is closed); 0 for no minimum
 */
public record GatewayTimeouts(Duration connect, Duration response, Duration idle, Duration shutdownGrace,
                              Duration requestHeader, long minBodyRate) {

    /** How long a request body may take before its average rate is held to {@code minBodyRate}. */
    public static final Duration BODY_RATE_GRACE = Duration.ofSeconds(5);

    /** The values used for keys the config leaves out. */
    static final GatewayTimeouts DEFAULTS = new GatewayTimeouts(
            Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10),
            Duration.ofSeconds(10), 1024);
}
