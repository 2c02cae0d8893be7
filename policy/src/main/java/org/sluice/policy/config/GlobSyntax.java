package org.sluice.policy.config;

import org.sluice.policy.NormalizedPath;
import org.sluice.policy.PathNormalizer;

/** Checks a {@code paths} glob when the config is read, so that a glob which could never match is an error. */
final class GlobSyntax {

    private GlobSyntax() {}

    /** Why glob is refused, or null when it is fine. */
    static String problem(String glob) {
        String bad = "bad path glob '" + NodeReader.shorten(glob) + "': ";
        if (!glob.startsWith("/")) {
            return bad + "it must start with '/', e.g. /api/**";
        }
        if (glob.indexOf('?') >= 0 || glob.indexOf('#') >= 0) {
            return bad + "globs match the path only, and '" + (glob.indexOf('?') >= 0 ? '?' : '#') + "' starts the "
                    + (glob.indexOf('?') >= 0 ? "query" : "fragment");
        }
        for (String segment : glob.substring(1).split("/", -1)) {
            if (segment.contains("**") && !segment.equals("**")) {
                return bad + "'**' must be a whole segment, e.g. /api/**; use '*' to match within a segment";
            }
        }
        // Requests are matched in normal form, so a glob that is not in normal form would silently never match.
        NormalizedPath normal = PathNormalizer.normalize(glob);
        if (!normal.ok()) {
            return bad + "no request can match it because " + normal.error();
        }
        if (!normal.path().equals(glob)) {
            return bad + "requests are matched in normal form, so write '" + normal.path() + "'";
        }
        return null;
    }
}
