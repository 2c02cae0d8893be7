package org.sluice.policy.config;

import java.util.Locale;
import org.sluice.policy.net.IpLiteral;

/**
 * Parses listen addresses and upstream URLs by hand, so that nothing is resolved while a config is read and every
 * refusal can say exactly what is wrong.
 */
final class Addresses {

    private static final String LISTEN_EXAMPLE = "expected host:port, e.g. 0.0.0.0:8080 or [::1]:9090";

    private Addresses() {}

    /** "host:port" with port 0..65535; IllegalArgumentException with a one-sentence reason otherwise. */
    static ListenAddress listen(String text) {
        String bad = "bad listen address '" + NodeReader.shorten(text) + "': ";
        HostPort hostPort = hostPort(text, bad);
        if (hostPort.port == null) {
            throw new IllegalArgumentException(bad + "the port is missing; " + LISTEN_EXAMPLE);
        }
        int port = port(hostPort.port, bad, 0);
        return new ListenAddress(hostPort.host, port);
    }

    /** The parts of an upstream URL: scheme, host and port, refusing anything that would be ignored. */
    static UpstreamConfig upstream(String url, java.nio.file.Path caFile, int maxConnectionsPerLoop) {
        String bad = "bad upstream URL '" + NodeReader.shorten(url) + "': ";
        int separator = url.indexOf("://");
        if (separator <= 0) {
            throw new IllegalArgumentException(bad + "expected http://host[:port] or https://host[:port]");
        }
        String scheme = url.substring(0, separator).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(bad + "the scheme must be http or https, got '"
                    + NodeReader.shorten(url.substring(0, separator)) + "'");
        }
        String rest = url.substring(separator + 3);
        int authorityEnd = 0;
        while (authorityEnd < rest.length() && "/?#".indexOf(rest.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = rest.substring(0, authorityEnd);
        String tail = rest.substring(authorityEnd);
        if (authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException(bad + "credentials (user@) are not allowed in the URL");
        }
        int query = tail.indexOf('?');
        int fragment = tail.indexOf('#');
        int pathEnd = query >= 0 ? query : fragment >= 0 ? fragment : tail.length();
        String path = tail.substring(0, pathEnd);
        if (!path.isEmpty() && !path.equals("/")) {
            throw new IllegalArgumentException(bad + "a path is not allowed (got '" + NodeReader.shorten(path)
                    + "'); each request keeps its own path, so give only http(s)://host[:port]");
        }
        if (query >= 0) {
            throw new IllegalArgumentException(bad + "a query is not allowed; give only http(s)://host[:port]");
        }
        if (fragment >= 0) {
            throw new IllegalArgumentException(bad + "a fragment is not allowed; give only http(s)://host[:port]");
        }
        HostPort hostPort = hostPort(authority, bad);
        int port = hostPort.port == null ? (scheme.equals("https") ? 443 : 80) : port(hostPort.port, bad, 1);
        return new UpstreamConfig(scheme, hostPort.host.toLowerCase(Locale.ROOT), port, caFile,
                maxConnectionsPerLoop);
    }

    private record HostPort(String host, String port) {}

    private static HostPort hostPort(String text, String bad) {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(bad + "the IPv6 address has no closing ']'");
            }
            host = text.substring(1, close);
            if (!isIpv6(host)) {
                throw new IllegalArgumentException(bad + "'" + NodeReader.shorten(host) + "' is not an IPv6 address");
            }
            String after = text.substring(close + 1);
            if (after.startsWith(":")) {
                port = after.substring(1);
            } else if (!after.isEmpty()) {
                throw new IllegalArgumentException(bad + "expected ':port' after ']'");
            }
            return new HostPort(host, port);
        }
        int colon = text.lastIndexOf(':');
        host = colon < 0 ? text : text.substring(0, colon);
        port = colon < 0 ? null : text.substring(colon + 1);
        if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException(bad + "an IPv6 address must be in brackets, e.g. [::1]:9090");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException(bad + "the host is missing; " + LISTEN_EXAMPLE);
        }
        if (!isHostName(host)) {
            throw new IllegalArgumentException(bad + "'" + NodeReader.shorten(host)
                    + "' is not a valid host name or IPv4 address");
        }
        return new HostPort(host, port);
    }

    private static int port(String text, String bad, int min) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(bad + "the port must be a number from " + min + " to 65535");
        }
        int port = Integer.parseInt(text);
        if (port < min || port > 65535) {
            throw new IllegalArgumentException(bad + "the port must be a number from " + min + " to 65535");
        }
        return port;
    }

    /** Letters, digits, '-' and '_' in dot-separated labels; all-numeric names must be dotted-quad IPv4. */
    static boolean isHostName(String host) {
        if (host.length() > 253) {
            return false;
        }
        String[] labels = host.split("\\.", -1);
        boolean numeric = true;
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '_';
                if (!ok) {
                    return false;
                }
                numeric &= c >= '0' && c <= '9';
            }
        }
        return !numeric || IpLiteral.isDottedQuad(host);
    }

    /** RFC 4291 text form without a zone: eight groups, or fewer around one "::", optionally ending in IPv4. */
    static boolean isIpv6(String text) {
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
        String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
        int groups = countGroups(head, doubleColon < 0);
        int tailGroups = countGroups(tail, true);
        if (groups < 0 || tailGroups < 0) {
            return false;
        }
        groups += tailGroups;
        return doubleColon >= 0 ? groups < 8 : groups == 8;
    }

    /** 16-bit groups in a colon-separated run (an IPv4 ending counts two), or -1 when malformed. */
    private static int countGroups(String run, boolean mayEndInIpv4) {
        if (run.isEmpty()) {
            return 0;
        }
        String[] fields = run.split(":", -1);
        int groups = 0;
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i];
            if (mayEndInIpv4 && i == fields.length - 1 && field.indexOf('.') >= 0) {
                if (!IpLiteral.isDottedQuad(field)) {
                    return -1;
                }
                groups += 2;
            } else if (field.isEmpty() || field.length() > 4
                    || !field.chars().allMatch(c -> c < 0x80 && Character.digit(c, 16) >= 0)) {
                return -1;
            } else {
                groups++;
            }
        }
        return groups;
    }
}
