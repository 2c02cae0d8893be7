package org.sluice.policy;

import java.util.Objects;

/**
 * Where a request would go: listener, scheme, host (in {@link HostNames} normal form) and port. The gateway makes
 * one for its upstream at start and reuses it for every request.
 *
 * @param listener the listener the request came in on
 * @param scheme   "http" or "https", lower case
 * @param host     host name or IP literal in normal form
 * @param port     1..65535
 */
public record Destination(Listener listener, String scheme, String host, int port) {

    /** Checks the fields; host must already be in normal form. */
    public Destination {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    /** The gateway listener's one destination, its upstream; host as configured, normalised here. */
    public static Destination gateway(String scheme, String host, int port) {
        return new Destination(Listener.GATEWAY, scheme, HostNames.normalize(host), port);
    }

    /** scheme://host:port, IPv6 in brackets. */
    @Override
    public String toString() {
        return scheme + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
