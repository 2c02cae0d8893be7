package org.sluice.policy;

import java.util.Arrays;

/**
 * A compiled {@code paths} glob, matched segment by segment against a normalised path by index, allocating nothing.
 *
 * <p>{@code **} as a whole segment matches zero or more segments; a lone {@code *} matches exactly one non-empty
 * segment; {@code *} inside a segment matches any run of characters except '/'; the rest is literal.
 */
final class PathGlob {

    private static final int LITERAL = 0;
    private static final int ONE_SEGMENT = 1;
    private static final int WITHIN_SEGMENT = 2;
    private static final int ANY_SEGMENTS = 3;

    private final String source;
    private final int[] kinds;
    private final String[] literals;
    /** For WITHIN_SEGMENT: the literal pieces around each '*'; the first is a prefix, the last a suffix. */
    private final String[][] pieces;

    private PathGlob(String source, int[] kinds, String[] literals, String[][] pieces) {
        this.source = source;
        this.kinds = kinds;
        this.literals = literals;
        this.pieces = pieces;
    }

    /** Compiles a glob; throws IllegalArgumentException when it does not start with '/' or misuses '**'. */
    static PathGlob compile(String glob) {
        if (glob == null || glob.isEmpty() || glob.charAt(0) != '/') {
            throw new IllegalArgumentException("glob must start with '/': " + glob);
        }
        String[] segments = glob.substring(1).split("/", -1);
        int[] kinds = new int[segments.length];
        String[] literals = new String[segments.length];
        String[][] pieces = new String[segments.length][];
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.equals("**")) {
                kinds[i] = ANY_SEGMENTS;
            } else if (segment.contains("**")) {
                throw new IllegalArgumentException("'**' must be a whole segment: " + glob);
            } else if (segment.equals("*")) {
                kinds[i] = ONE_SEGMENT;
            } else if (segment.indexOf('*') >= 0) {
                kinds[i] = WITHIN_SEGMENT;
                pieces[i] = segment.split("\\*", -1);
            } else {
                kinds[i] = LITERAL;
                literals[i] = segment;
            }
        }
        return new PathGlob(glob, kinds, literals, pieces);
    }

    /** The first segment when it is literal (a key for the rule index), else null. */
    String firstLiteralSegment() {
        return kinds[0] == LITERAL ? literals[0] : null;
    }

    /**
     * The last segment when it is literal, else null. Every segment but '**' consumes exactly one path segment, so
     * a glob ending in a literal can only match paths whose last segment equals it.
     */
    String lastLiteralSegment() {
        int last = kinds.length - 1;
        return kinds[last] == LITERAL ? literals[last] : null;
    }

    /** True when the glob matches the whole path; path starts with '/'. */
    boolean matches(String path) {
        int n = path.length();
        int g = 0;
        int p = 1; // start of the current path segment; n + 1 once every segment is consumed
        int starG = -1;
        int starP = 0;
        while (p <= n) {
            int end = segmentEnd(path, p);
            if (g < kinds.length) {
                if (kinds[g] == ANY_SEGMENTS) {
                    starG = g;
                    starP = p;
                    g++;
                    continue;
                }
                if (segmentMatches(g, path, p, end)) {
                    g++;
                    p = end + 1;
                    continue;
                }
            }
            if (starG < 0) {
                return false;
            }
            // Single-point backtracking suffices: the latest '**' can absorb whatever an earlier one would have.
            g = starG + 1;
            starP = segmentEnd(path, starP) + 1;
            p = starP;
        }
        while (g < kinds.length && kinds[g] == ANY_SEGMENTS) {
            g++;
        }
        return g == kinds.length;
    }

    /**
     * True when every path this glob's {@code other} matches is matched by this glob too (used to find rules an
     * earlier rule hides). Conservative: false when unsure, never true wrongly.
     */
    boolean covers(PathGlob other) {
        return covers(0, other, 0);
    }

    private boolean covers(int i, PathGlob b, int j) {
        if (i == kinds.length) {
            return j == b.kinds.length;
        }
        if (kinds[i] == ANY_SEGMENTS) {
            return covers(i + 1, b, j) || (j < b.kinds.length && covers(i, b, j + 1));
        }
        if (j == b.kinds.length || b.kinds[j] == ANY_SEGMENTS) {
            return false;
        }
        boolean segment = switch (kinds[i]) {
            case ONE_SEGMENT -> b.kinds[j] != LITERAL || !b.literals[j].isEmpty();
            case WITHIN_SEGMENT -> b.kinds[j] == LITERAL
                    ? withinSegmentMatches(pieces[i], b.literals[j], 0, b.literals[j].length())
                    : b.kinds[j] == WITHIN_SEGMENT && Arrays.equals(pieces[i], b.pieces[j]);
            default -> b.kinds[j] == LITERAL && literals[i].equals(b.literals[j]);
        };
        return segment && covers(i + 1, b, j + 1);
    }

    private static int segmentEnd(String path, int start) {
        int end = path.indexOf('/', start);
        return end < 0 ? path.length() : end;
    }

    private boolean segmentMatches(int g, String path, int start, int end) {
        switch (kinds[g]) {
            case LITERAL: {
                String literal = literals[g];
                return literal.length() == end - start && path.regionMatches(start, literal, 0, literal.length());
            }
            case ONE_SEGMENT:
                return end > start;
            default:
                return withinSegmentMatches(pieces[g], path, start, end);
        }
    }

    private static boolean withinSegmentMatches(String[] pieces, String path, int start, int end) {
        String prefix = pieces[0];
        String suffix = pieces[pieces.length - 1];
        int limit = end - suffix.length();
        if (start + prefix.length() > limit
                || !path.regionMatches(start, prefix, 0, prefix.length())
                || !path.regionMatches(limit, suffix, 0, suffix.length())) {
            return false;
        }
        int from = start + prefix.length();
        for (int i = 1; i < pieces.length - 1; i++) {
            int found = indexIn(path, pieces[i], from, limit);
            if (found < 0) {
                return false;
            }
            from = found + pieces[i].length();
        }
        return true;
    }

    /** First index of piece in path[from, limit), or -1; leftmost is right because '*' can absorb any gap. */
    private static int indexIn(String path, String piece, int from, int limit) {
        for (int i = from; i + piece.length() <= limit; i++) {
            if (path.regionMatches(i, piece, 0, piece.length())) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return source + " " + Arrays.toString(kinds);
    }
}
