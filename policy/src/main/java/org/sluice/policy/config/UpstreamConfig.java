package org.sluice.policy.config;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code upstream:} is either a URL string, or a mapping {url: ..., caFile: ..., maxConnectionsPerLoop: ...,
 * pinSha256: [...], clientCert: ..., clientKey: ..., headers: {...}, clientAuthorization: ...}.
 *
 * @param scheme                "http" or "https"
 * @param host                  lower-case host name or IP literal (IPv6 without brackets)
 * @param port                  explicit port, or 80/443 by scheme
 * @param caFile                PEM file of trusted CAs, resolved against the config's folder; null for the defaults
 * @param maxConnectionsPerLoop pooled upstream connections per event loop, 1..10000 (default 64)
 * @param pinSha256             base64 SHA-256 hashes of the SubjectPublicKeyInfo the server's leaf certificate
 *                              must have (one of them), checked on top of normal validation; empty for no pinning
 * @param clientCert            PEM certificate chain Sluice presents to the server (mutual TLS), or null
 * @param clientKey             the PKCS#8 PEM private key of clientCert; null exactly when clientCert is
 * @param headers               headers set on every forwarded request (credentials), in config order
 * @param stripClientAuthorization true when the algorithm's own Authorization header is removed
 */
public record UpstreamConfig(String scheme, String host, int port, Path caFile, int maxConnectionsPerLoop,
                             List<String> pinSha256, Path clientCert, Path clientKey, List<InjectedHeader> headers,
                             boolean stripClientAuthorization) {

    public UpstreamConfig {
        pinSha256 = List.copyOf(pinSha256);
        headers = List.copyOf(headers);
    }

    /** Without pins. */
    public UpstreamConfig(String scheme, String host, int port, Path caFile, int maxConnectionsPerLoop) {
        this(scheme, host, port, caFile, maxConnectionsPerLoop, List.of(), null, null, List.of(), false);
    }

    /** The same upstream, pinned to {@code pins} and presenting the client certificate if not null. */
    UpstreamConfig withTls(List<String> pins, Path cert, Path key) {
        return new UpstreamConfig(scheme, host, port, caFile, maxConnectionsPerLoop, pins, cert, key, headers,
                stripClientAuthorization);
    }

    /** The same upstream, setting {@code injected} on every request. */
    UpstreamConfig withHeaders(List<InjectedHeader> injected, boolean stripAuthorization) {
        return new UpstreamConfig(scheme, host, port, caFile, maxConnectionsPerLoop, pinSha256, clientCert,
                clientKey, injected, stripAuthorization);
    }

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
