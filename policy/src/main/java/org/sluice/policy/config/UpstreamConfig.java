package org.sluice.policy.config;

import java.nio.file.Path;

/**
 * {@code upstream:} is either a URL string, or a mapping {url: ..., caFile: ..., maxConnectionsPerLoop: ...}.
 *
 * @param scheme                "http" or "https"
 * @param host                  lower-case host name or IP literal (IPv6 without brackets)
 * @param port                  explicit port, or 80/443 by scheme
 * @param caFile                PEM file of trusted CAs, resolved against the config's folder; null for the defaults
 * @param maxConnectionsPerLoop pooled upstream connections per event loop, 1..10000 (default 64)
 */
public record UpstreamConfig(String scheme, String host, int port, Path caFile, int maxConnectionsPerLoop) {

    /** Connections per event loop when the config does not say. */
    static final int DEFAULT_MAX_CONNECTIONS_PER_LOOP = 64;

    /** True when the scheme is https. */
    public boolean tls() {
        return "https".equals(scheme);
    }

    /** host, or host:port when port is not the scheme's default; IPv6 in [ ]. */
    public String authority() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        int defaultPort = tls() ? 443 : 80;
        return port == defaultPort ? h : h + ":" + port;
    }
}
