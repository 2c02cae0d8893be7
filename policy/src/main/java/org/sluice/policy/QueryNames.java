package org.sluice.policy;

/**
 * A rule's {@code query} allowlist, applied to a raw query string without decoding it: every parameter name (the
 * text before '=' in each '&'-separated part; empty parts are ignored) must be one of the allowed names, exactly
 * as sent. A percent-encoded name therefore never equals an allowed one, which can only deny, never let more out.
 */
final class QueryNames {

    private QueryNames() {}

    /** True when query is null or empty, or when every parameter name in it is in allowed. */
    static boolean allAllowed(String query, String[] allowed) {
        if (query == null) {
            return true;
        }
        int length = query.length();
        int start = 0;
        while (start < length) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = length;
            }
            if (end > start) {
                int equals = query.indexOf('=', start);
                int nameEnd = equals >= 0 && equals < end ? equals : end;
                if (!contains(allowed, query, start, nameEnd)) {
                    return false;
                }
            }
            start = end + 1;
        }
        return true;
    }

    /** The first parameter name in query that is not allowed, or null; for explanations, not the hot path. */
    static String firstRefused(String query, String[] allowed) {
        if (query == null) {
            return null;
        }
        for (String part : query.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int equals = part.indexOf('=');
            String name = equals >= 0 ? part.substring(0, equals) : part;
            if (!contains(allowed, name, 0, name.length())) {
                return name;
            }
        }
        return null;
    }

    private static boolean contains(String[] allowed, String text, int start, int end) {
        int length = end - start;
        for (String name : allowed) {
            if (name.length() == length && text.regionMatches(start, name, 0, length)) {
                return true;
            }
        }
        return false;
    }
}
