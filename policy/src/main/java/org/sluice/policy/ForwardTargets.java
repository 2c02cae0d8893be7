package org.sluice.policy;

import java.util.Locale;
import org.sluice.policy.net.IpLiteral;

/**
 * Reads what the forward listener receives: the absolute-form target of a plain-HTTP proxy request, the
 * authority-form target of a CONNECT, and the Host header that goes with them. Strict by design: anything another
 * parser might read differently (userinfo, a fragment, percent-escapes in the host, octal, hex, shortened or integer
 * IPv4 spellings, zone ids) is refused with a sentence saying what to send instead, so that the host the policy
 * checks is the host every later step sees.
 */
public final class ForwardTargets {

    private static final String CANONICAL_IPV4 = "octal, hex, shortened and integer forms are refused; write "
            + "dotted decimal such as 127.0.0.1";

    private ForwardTargets() {}

    /**
     * The absolute-form target of a plain-HTTP proxy request, {@code http://host[:port]/path?query}.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong and what to send instead
     */
    public static ForwardTarget absolute(String target) {
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("the request target is empty; a proxy request names its destination "
                    + "in absolute form, e.g. GET http://mirror.example.org/simple/");
        }
        int separator = target.indexOf("://");
        if (separator <= 0 || !isScheme(target.substring(0, separator))) {
            throw new IllegalArgumentException("'" + HostNames.shorten(target) + "' is not an absolute http:// URL; "
                    + "a proxy request names its destination, e.g. GET http://mirror.example.org/simple/");
        }
        String scheme = target.substring(0, separator).toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            throw new IllegalArgumentException("'" + HostNames.shorten(target) + "' is an https:// URL, which a "
                    + "proxy cannot forward as a plain request; send CONNECT host:443 and speak TLS through the "
                    + "tunnel, as clients configured with HTTPS_PROXY do");
        }
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException("the scheme '" + HostNames.shorten(target.substring(0, separator))
                    + "' is not forwarded; only http:// URLs are, and https through CONNECT");
        }
        if (target.indexOf('#') >= 0) {
            throw new IllegalArgumentException("'" + HostNames.shorten(target) + "' carries a fragment (#...), "
                    + "which a client never sends; remove it");
        }
        String rest = target.substring(separator + 3);
        int authorityEnd = 0;
        while (authorityEnd < rest.length() && "/?".indexOf(rest.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        Destination destination = destination("http", rest.substring(0, authorityEnd), false, target);
        String tail = rest.substring(authorityEnd);
        int q = tail.indexOf('?');
        String path = q < 0 ? tail : tail.substring(0, q);
        String query = q < 0 ? null : tail.substring(q + 1);
        return new ForwardTarget(destination, path.isEmpty() ? "/" : path, query);
    }

    /**
     * A CONNECT target, authority form {@code host:port} (the port is required); the destination's scheme is https.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong and what to send instead
     */
    public static Destination connect(String target) {
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("the CONNECT target is empty; expected host:port, e.g. CONNECT "
                    + "mirror.example.org:443");
        }
        if (target.contains("://") || target.indexOf('/') >= 0 || target.indexOf('?') >= 0
                || target.indexOf('#') >= 0) {
            throw new IllegalArgumentException("'" + HostNames.shorten(target) + "' is not a CONNECT target: it "
                    + "is host:port alone, without scheme, path or query, e.g. CONNECT mirror.example.org:443");
        }
        return destination("https", target, true, target);
    }

    /**
     * Whether a request's Host header agrees with where it goes: the same host in normal form and the same port
     * (the scheme's default port may be left out).
     *
     * @param hostHeader  the Host header's value; null when the request has none (nothing to disagree with)
     * @param destination where the request goes
     * @return null when they agree, else a one-sentence reason
     */
    public static String hostDisagreement(String hostHeader, Destination destination) {
        if (hostHeader == null) {
            return null;
        }
        Destination named;
        try {
            named = destination(destination.scheme(), hostHeader.strip(), false, hostHeader);
        } catch (IllegalArgumentException e) {
            return "the Host header '" + HostNames.shorten(hostHeader) + "' is not a valid host[:port]: "
                    + e.getMessage();
        }
        if (named.host().equals(destination.host()) && named.port() == destination.port()) {
            return null;
        }
        return "the Host header names " + hostPort(named) + " but the request goes to " + hostPort(destination)
                + "; send Host: " + authority(destination) + " (or leave Host out and let the proxy set it)";
    }

    /**
     * The Host header value to send upstream: "host", or "host:port" when the port is not the scheme's default;
     * an IPv6 literal in brackets.
     */
    public static String authority(Destination destination) {
        String host = bracketed(destination.host());
        return destination.port() == defaultPort(destination.scheme()) ? host : host + ":" + destination.port();
    }

    /**
     * The destination an authority ({@code host[:port]}) names; package-private for {@link RequestUrl}.
     *
     * @param portRequired true for CONNECT, whose target must carry a port
     * @param whole        the text to quote in messages
     */
    static Destination destination(String scheme, String authority, boolean portRequired, String whole) {
        if (authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException("'" + HostNames.shorten(whole) + "' carries credentials (user@); "
                    + "remove them, a client sends them in a header, never in the target");
        }
        String host;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("the IPv6 address in '" + HostNames.shorten(whole)
                        + "' has no closing ']'");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (after.startsWith(":")) {
                port = after.substring(1);
            } else if (!after.isEmpty()) {
                throw new IllegalArgumentException("expected ':port' after ']' in '" + HostNames.shorten(whole)
                        + "'");
            }
            if (host.indexOf('%') >= 0) {
                throw new IllegalArgumentException("'" + HostNames.shorten(host) + "' in '" + HostNames.shorten(whole)
                        + "' has a zone id (%...), which names a network interface of the sender and is refused; "
                        + "write the address alone, e.g. [fe80::1]");
            }
            if (host.indexOf(':') < 0 || !IpLiteral.isLiteral(host)) {
                throw new IllegalArgumentException("'[" + HostNames.shorten(host) + "]' in '"
                        + HostNames.shorten(whole) + "' is not an IPv6 address");
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? null : authority.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("an IPv6 address must be in brackets, e.g. [::1]:8080, in '"
                        + HostNames.shorten(whole) + "'");
            }
            checkName(host, whole);
        }
        int portNumber = defaultPort(scheme);
        if (port == null && portRequired) {
            throw new IllegalArgumentException("'" + HostNames.shorten(whole) + "' has no port; a CONNECT target "
                    + "is host:port, e.g. CONNECT mirror.example.org:443");
        }
        if (port != null) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
                throw new IllegalArgumentException("the port in '" + HostNames.shorten(whole)
                        + "' must be a number from 1 to 65535");
            }
            portNumber = Integer.parseInt(port);
        }
        String normal;
        try {
            normal = HostNames.normalize(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ", in '" + HostNames.shorten(whole) + "'");
        }
        if (normal.indexOf(':') < 0) {
            // International names map full-width digits and dots to ASCII: check the spelling that is used.
            checkName(normal, whole);
        }
        return new Destination(Listener.FORWARD, scheme, normal, portNumber);
    }

    /** A host name or IPv4 address, not in brackets: the checks HostNames.normalize does not make. */
    private static void checkName(String host, String whole) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + HostNames.shorten(whole) + "' has no host; expected host[:port], "
                    + "e.g. mirror.example.org:443");
        }
        if (host.indexOf('%') >= 0) {
            throw new IllegalArgumentException("'" + HostNames.shorten(host) + "' in '" + HostNames.shorten(whole)
                    + "' has a percent-escape, which is not allowed in a host; write the name itself");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.' || c == '_' || c > 0x7f;
            if (!ok) {
                throw new IllegalArgumentException("'" + HostNames.shorten(host) + "' is not a valid host name: '"
                        + (Character.isISOControl(c) ? "?" : String.valueOf(c)) + "' is not allowed; letters, "
                        + "digits, '-', '_' and '.' only, in '" + HostNames.shorten(whole) + "'");
            }
        }
        String withoutDot = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] labels = withoutDot.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) {
                throw new IllegalArgumentException("'" + HostNames.shorten(host) + "' has an empty label (a leading "
                        + "dot or two dots in a row), in '" + HostNames.shorten(whole) + "'");
            }
        }
        if (isNumeric(labels[labels.length - 1]) && !IpLiteral.isDottedQuad(host)) {
            throw new IllegalArgumentException("'" + HostNames.shorten(host) + "' is not a canonical IPv4 address: "
                    + CANONICAL_IPV4);
        }
    }

    /** All decimal digits, or 0x/0X and hex digits: a label that URL parsers read as (part of) an IPv4 address. */
    private static boolean isNumeric(String label) {
        String digits = label;
        int radix = 10;
        if (label.length() >= 2 && label.charAt(0) == '0' && (label.charAt(1) == 'x' || label.charAt(1) == 'X')) {
            digits = label.substring(2);
            radix = 16;
            if (digits.isEmpty()) {
                return true;
            }
        }
        final int r = radix;
        return !digits.isEmpty() && digits.chars().allMatch(c -> c < 0x80 && Character.digit(c, r) >= 0);
    }

    private static boolean isScheme(String text) {
        return text.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '+' || c == '-' || c == '.');
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    private static String hostPort(Destination destination) {
        return bracketed(destination.host()) + ":" + destination.port();
    }
}
