package org.sluice.policy;

/**
 * Why no rule matched, in one sentence that names the part of the request that failed: host, port, scheme, method,
 * path or query. Each rule of the request's kind is checked part by part in that order; the part named is where
 * the rule that got furthest stopped ("no rule for this host allows this port"). The sentences are built when the
 * policy is compiled, so a denial allocates nothing: they name a method the policy knows, and no other value (the
 * audit record beside the reason has the host, port, method and path).
 */
final class NoMatchReason {
    static final int HOST = 0;
    static final int PORT = 1;
    static final int SCHEME = 2;
    static final int METHOD = 3;
    static final int PATH = 4;
    static final int QUERY = 5;
    static final int PARTS = 6;

    private NoMatchReason() {}

    /**
     * The sentence for a request that got no further than {@code part}; {@code method} is a method some rule or
     * the standard lists, or null for any other token (no rule can allow it).
     */
    static String request(int part, String method) {
        return switch (part) {
            case HOST -> "no rule allows this host";
            case PORT -> "no rule for this host allows this port";
            case SCHEME -> "no rule for this host and port allows this scheme";
            case METHOD -> method == null
                    ? "no rule allows this method: it is not a standard HTTP method, and no rule lists it under "
                            + "extensionMethods"
                    : "no rule for this host and port allows method " + method;
            case PATH -> "no rule allows " + method + " on this path";
            default -> "no rule allows " + method + " on this path with these query parameters";
        };
    }

    /** The sentence for a CONNECT that got no further than {@code part} (a tunnel has no method, path or query). */
    static String tunnel(int part) {
        return switch (part) {
            case HOST -> "no CONNECT rule allows a tunnel to this host";
            case PORT -> "no CONNECT rule for this host allows this port";
            default -> "no CONNECT rule for this host and port allows https";
        };
    }
}
