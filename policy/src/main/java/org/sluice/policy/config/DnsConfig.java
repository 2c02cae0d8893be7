package org.sluice.policy.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How the forward listener resolves destination names; YAML {@code forward.dns: {servers: ["10.96.0.10"],
 * minTtl: 0s, maxTtl: 60s, queryTimeout: 5s}}.
 *
 * @param servers      name servers to ask, each an IP literal with a port (default 53), built from the literal's
 *                     bytes (never resolved); empty means the system's, from /etc/resolv.conf; never null
 * @param minTtl       answers are cached at least this long, 0..maxTtl
 * @param maxTtl       answers are cached at most this long, at most 1 day
 * @param queryTimeout how long one query may take, more than 0
 */
public record DnsConfig(List<InetSocketAddress> servers, Duration minTtl, Duration maxTtl, Duration queryTimeout) {

    /** Copies servers. */
    public DnsConfig {
        servers = List.copyOf(servers);
    }

    /** The values used for keys the config leaves out. */
    static final DnsConfig DEFAULTS = new DnsConfig(List.of(), Duration.ZERO, Duration.ofSeconds(60),
            Duration.ofSeconds(5));
}
