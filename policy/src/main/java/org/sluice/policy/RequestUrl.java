package org.sluice.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request URL as {@code policy explain} and {@code policy test} take it: a path ({@code /api/tasks?limit=10}),
 * meaning a request to the gateway, or an absolute http(s) URL. An absolute URL whose scheme, host and port are
 * the gateway upstream's is a gateway request too; any other is a request to the forward listener.
 *
 * <p>Nothing is decoded or normalised here: the raw path goes to {@link PathNormalizer} and the raw query to the
 * policy, exactly as the listeners hand them on.
 *
 * @param destination where the request would go
 * @param target      the request target as the listener would receive it: path and query for the gateway
 *                    (origin form), the whole URL for the forward listener (absolute form); fragment included
 * @param rawPath     the path as written, before '?' ("/" when an absolute URL has none)
 * @param rawQuery    the query as written, without '?'; null when there is no '?'
 * @param fragment    true when the URL carries a '#' fragment, which Sluice refuses in a request target
 * @param tunnel      true for a CONNECT target (host:port, to the forward listener): rawPath is "/" and there is no
 *                    query, since what a tunnel carries is encrypted
 */
public record RequestUrl(Destination destination, String target, String rawPath, String rawQuery, boolean fragment,
                         boolean tunnel) {

    /**
     * Reads a request's target as its method takes it: for CONNECT, a host:port target ({@link #connect}); for any
     * other method, or a CONNECT to a path (which the gateway refuses), {@link #parse(String, Destination)}.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong and what is expected
     */
    public static RequestUrl parse(String method, String url, Destination gateway) {
        if ("CONNECT".equals(method) && url != null && !url.startsWith("/")) {
            return connect(url);
        }
        return parse(url, gateway);
    }

    /**
     * A CONNECT target, host:port, as the forward listener reads it ({@link ForwardTargets#connect}).
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong and what is expected
     */
    public static RequestUrl connect(String target) {
        return new RequestUrl(ForwardTargets.connect(target), target, "/", null, false, true);
    }

    /**
     * Reads url relative to the gateway's one destination; {@code gateway} is null for a forward-only config, which
     * takes absolute URLs only.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong and what is expected
     */
    public static RequestUrl parse(String url, Destination gateway) {
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException("the URL is empty; expected a path such as /api/tasks or an "
                    + "absolute http:// or https:// URL");
        }
        if (url.startsWith("/") && gateway == null) {
            throw new IllegalArgumentException("this config has no gateway, so a path alone names no destination; "
                    + "expected an absolute URL such as http://host/api/tasks (a request to the forward listener)");
        }
        if (url.startsWith("/")) {
            return split(gateway, url, url);
        }
        int separator = url.indexOf("://");
        String scheme = separator <= 0 ? "" : url.substring(0, separator).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("'" + HostNames.shorten(url) + "' is neither a path nor an http(s) "
                    + "URL; expected a path such as /api/tasks or an absolute URL such as https://host/api/tasks");
        }
        String rest = url.substring(separator + 3);
        int authorityEnd = 0;
        while (authorityEnd < rest.length() && "/?#".indexOf(rest.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = rest.substring(0, authorityEnd);
        if (authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException("the URL carries credentials (user@); remove them, a client sends "
                    + "them in Authorization");
        }
        Destination destination = destination(scheme, authority, url);
        String tail = rest.substring(authorityEnd);
        if (!tail.startsWith("/")) {
            tail = "/" + tail;
        }
        boolean toGateway = gateway != null && destination.scheme().equals(gateway.scheme())
                && destination.host().equals(gateway.host()) && destination.port() == gateway.port();
        return toGateway ? split(gateway, tail, tail) : split(destination, tail, url);
    }

    private static RequestUrl split(Destination destination, String pathQueryFragment, String target) {
        int hash = pathQueryFragment.indexOf('#');
        String beforeFragment = hash < 0 ? pathQueryFragment : pathQueryFragment.substring(0, hash);
        int q = beforeFragment.indexOf('?');
        String path = q < 0 ? beforeFragment : beforeFragment.substring(0, q);
        String query = q < 0 ? null : beforeFragment.substring(q + 1);
        return new RequestUrl(destination, target, path, query, hash >= 0, false);
    }

    /** The forward listener's reading of an authority, so that explain refuses what the listener refuses. */
    private static Destination destination(String scheme, String authority, String url) {
        return ForwardTargets.destination(scheme, authority, false, url);
    }

    /** The parameter names of the query, as sent (not decoded), in order; empty for no query. */
    public List<String> queryNames() {
        if (rawQuery == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String part : rawQuery.split("&")) {
            if (!part.isEmpty()) {
                int equals = part.indexOf('=');
                names.add(equals >= 0 ? part.substring(0, equals) : part);
            }
        }
        return List.copyOf(names);
    }
}
