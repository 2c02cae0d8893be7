package org.sluice.cli;

import java.net.InetSocketAddress;
import org.sluice.policy.config.ListenAddress;

/** host:port for messages, with IPv6 literals in brackets so the port is unambiguous. */
final class Addresses {

    private Addresses() {
    }

    static String format(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return hostPort(host, address.getPort());
    }

    static String format(ListenAddress address) {
        return hostPort(address.host(), address.port());
    }

    private static String hostPort(String host, int port) {
        int zone = host.indexOf('%');
        String bare = zone >= 0 ? host.substring(0, zone) : host;
        return (bare.indexOf(':') >= 0 && !bare.startsWith("[") ? "[" + bare + "]" : bare) + ":" + port;
    }
}
