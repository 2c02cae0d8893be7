package org.sluice.policy.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How Sluice resolves names: the forward listener's destinations and the gateway's upstream alike; YAML
 * {@code forward.dns: {servers: ["10.96.0.10"], minTtl: 0s, maxTtl: 60s, queryTimeout: 5s, hostsFile: /etc/hosts}}.
 * Only these servers are asked (no hosts file unless named, no search domains), so nothing a container or pod
 * writes into {@code /etc/hosts} can steer where an allowed name goes.
 *
 * @param servers      name servers to ask, each an IP literal with a port (default 53), built from the literal's
 *                     bytes (never resolved); empty means the system's, from /etc/resolv.conf; never null
 * @param minTtl       answers are cached at least this long, 0..maxTtl
 * @param maxTtl       answers are cached at most this long, at most 1 day
 * @param queryTimeout how long one query may take, more than 0
 * @param hostsFile    a hosts file (as /etc/hosts) consulted before the servers, read once at start; null (the
 *                     default) for none
 */
public record DnsConfig(List<InetSocketAddress> servers, Duration minTtl, Duration maxTtl, Duration queryTimeout,
                        Path hostsFile) {

    /** Copies servers. */
    public DnsConfig {
        servers = List.copyOf(servers);
    }

    /** Without a hosts file. */
    public DnsConfig(List<InetSocketAddress> servers, Duration minTtl, Duration maxTtl, Duration queryTimeout) {
        this(servers, minTtl, maxTtl, queryTimeout, null);
    }

    /** The values used for keys the config leaves out. */
    static final DnsConfig DEFAULTS = new DnsConfig(List.of(), Duration.ZERO, Duration.ofSeconds(60),
            Duration.ofSeconds(5));

    /** The resolution in force for config: its {@code forward.dns}, or the defaults without a forward section. */
    public static DnsConfig of(SluiceConfig config) {
        return config.forward() == null ? DEFAULTS : config.forward().dns();
    }
}
