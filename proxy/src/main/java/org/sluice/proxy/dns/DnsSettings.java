package org.sluice.proxy.dns;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.sluice.policy.config.DnsConfig;

/**
 * How Sluice resolves names, for the forward listener and the gateway's upstream alike.
 *
 * @param servers      the DNS servers, asked in this order; empty means the system's ({@code /etc/resolv.conf})
 * @param minTtl       answers are cached at least this long, whatever TTL the server gave (zero: honour TTL 0)
 * @param maxTtl       answers are cached at most this long, so a changed record is seen within it
 * @param queryTimeout how long one question to one server may take before it counts as unanswered
 * @param hostsFile    a hosts file consulted before the servers, or null (the default) for none
 */
public record DnsSettings(List<InetSocketAddress> servers, Duration minTtl, Duration maxTtl, Duration queryTimeout,
                          Path hostsFile) {

    public DnsSettings {
        servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
        Objects.requireNonNull(minTtl, "minTtl");
        Objects.requireNonNull(maxTtl, "maxTtl");
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        if (minTtl.isNegative()) {
            throw new IllegalArgumentException("minTtl must not be negative: " + minTtl);
        }
        if (maxTtl.compareTo(minTtl) < 0) {
            throw new IllegalArgumentException("maxTtl " + maxTtl + " is below minTtl " + minTtl);
        }
        if (queryTimeout.isNegative() || queryTimeout.isZero()) {
            throw new IllegalArgumentException("queryTimeout must be positive: " + queryTimeout);
        }
        for (InetSocketAddress server : servers) {
            if (server.isUnresolved()) {
                throw new IllegalArgumentException("DNS server must be an IP address: " + server);
            }
        }
    }

    /** Without a hosts file. */
    public DnsSettings(List<InetSocketAddress> servers, Duration minTtl, Duration maxTtl, Duration queryTimeout) {
        this(servers, minTtl, maxTtl, queryTimeout, null);
    }

    /** The settings a config names. */
    public static DnsSettings of(DnsConfig dns) {
        return new DnsSettings(dns.servers(), dns.minTtl(), dns.maxTtl(), dns.queryTimeout(), dns.hostsFile());
    }

    /** Clamps a TTL from an answer, in seconds, to [minTtl, maxTtl]. */
    Duration clamp(long ttlSeconds) {
        Duration ttl = Duration.ofSeconds(Math.max(0, ttlSeconds));
        if (ttl.compareTo(minTtl) < 0) {
            return minTtl;
        }
        return ttl.compareTo(maxTtl) > 0 ? maxTtl : ttl;
    }
}
