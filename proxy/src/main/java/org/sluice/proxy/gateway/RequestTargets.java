package org.sluice.proxy.gateway;

/** Splitting an origin-form request target; the query is forwarded but never written to the audit log. */
final class RequestTargets {
    /** Raw paths of refused requests are cut to this length in the audit log. */
    private static final int MAX_AUDIT_PATH = 512;

    private RequestTargets() {
    }

    static String rawPath(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** True when {@code path} is exactly the target's path part: then the target needs no rewriting. */
    static boolean hasPath(String target, String path) {
        return target.startsWith(path)
                && (target.length() == path.length() || target.charAt(path.length()) == '?');
    }

    /** The query including its '?', or "" when there is none. */
    static String rawQuery(String target) {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q);
    }

    /** The query without its '?' (for the policy's query allowlist), or null when there is none. */
    static String queryOrNull(String target) {
        int q = target.indexOf('?');
        return q < 0 ? null : target.substring(q + 1);
    }

    /** The path of a request refused before normalisation: without query, bounded, never decoded; null if unparsed. */
    static String pathForAudit(String target) {
        if (target == null) {
            return null;
        }
        String path = rawPath(target);
        return path.length() <= MAX_AUDIT_PATH ? path : path.substring(0, MAX_AUDIT_PATH) + "...";
    }
}
