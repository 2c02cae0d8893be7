package org.sluice.policy.fingerprint;

import java.nio.charset.StandardCharsets;
import org.sluice.policy.content.ProtectedFindings;

/**
 * One scan of one piece of a request: hashes tokens, looks them up and feeds the row finders. The tokenisers call
 * {@link #value} for every value with the row finder of the place it stands in. Not thread-safe.
 */
final class Scan {

    /** Text tokens within this many of each other are close: a row written on a line, cells and a few words. */
    static final int TEXT_WINDOW = 16;
    /** Nesting levels that get a row finder of their own; deeper containers share the deepest one. */
    static final int MAX_GROUP_DEPTH = 32;
    /** Values in one group (object, array, line) are all close to each other, however many tokens apart. */
    static final long GROUP_REACH = Long.MAX_VALUE / 4;

    private static final boolean[] TEXT_SEPARATOR = new boolean[128];

    static {
        for (int b = 0; b <= ' '; b++) {
            TEXT_SEPARATOR[b] = true;
        }
        TEXT_SEPARATOR[127] = true;
        for (char c : "\",;:()[]{}<>=!?*|\\^~`&".toCharArray()) {
            TEXT_SEPARATOR[c] = true;
        }
    }

    private final FingerprintIndex index;
    private final int k;
    private final ProtectedFindings findings;
    private final TokenHasher hasher;
    private final RowFinder[] groups = new RowFinder[MAX_GROUP_DEPTH + 1];
    private final RowFinder textRows;
    private long position;

    Scan(FingerprintIndex index, int k, ProtectedFindings findings) {
        this.index = index;
        this.k = k;
        this.findings = findings;
        this.hasher = new TokenHasher(index.hasher());
        this.textRows = new RowFinder(index, k, findings);
    }

    /** The row finder of a group at this nesting depth (0 for top-level values). */
    RowFinder group(int depth) {
        int level = Math.min(depth, MAX_GROUP_DEPTH);
        RowFinder group = groups[level];
        if (group == null) {
            group = new RowFinder(index, k, findings);
            groups[level] = group;
        }
        return group;
    }

    /**
     * A value of a group (a JSON scalar or key, a CSV cell): looked up whole, and when it holds separators (a
     * sentence, "P-1, 1985-03-02") its words are scanned as text too, so cells cannot hide inside one value.
     */
    void value(byte[] bytes, int start, int end, RowFinder group) {
        position++;
        if (hasher.normalize(bytes, start, end)) {
            found(hasher.hash(), group, GROUP_REACH);
        }
        if (hasSeparator(bytes, start, end)) {
            text(bytes, start, end);
        }
    }

    /** The same for a value that had to be decoded first (a JSON string with escapes, a quoted CSV cell). */
    void value(String decoded, RowFinder group) {
        position++;
        if (hasher.normalizeText(decoded)) {
            found(hasher.hash(), group, GROUP_REACH);
        }
        byte[] utf8 = decoded.getBytes(StandardCharsets.UTF_8);
        if (hasSeparator(utf8, 0, utf8.length)) {
            text(utf8, 0, utf8.length);
        }
    }

    /**
     * Scans bytes as text: tokens are the runs between separators (white space, control bytes and
     * {@code ",;:()[]{}<>=!?*|\^~`&}), so dates, decimals, identifiers ({@code P-001234}) and e-mail addresses stay
     * whole; a trailing full stop is dropped. A token with non-ASCII bytes is normalised first and split again, so
     * full-width spaces and punctuation separate as their ASCII forms do.
     */
    void text(byte[] bytes, int start, int end) {
        int i = start;
        while (i < end) {
            while (i < end && isSeparator(bytes[i])) {
                i++;
            }
            int tokenStart = i;
            boolean ascii = true;
            while (i < end && !isSeparator(bytes[i])) {
                ascii &= bytes[i] >= 0;
                i++;
            }
            int tokenEnd = i;
            while (tokenEnd > tokenStart && bytes[tokenEnd - 1] == '.') {
                tokenEnd--;
            }
            if (tokenEnd == tokenStart) {
                continue;
            }
            if (ascii) {
                textToken(bytes, tokenStart, tokenEnd);
            } else {
                unicodeTextToken(new String(bytes, tokenStart, tokenEnd - tokenStart, StandardCharsets.UTF_8));
            }
        }
        textRows.close();
    }

    /** Ends every open group: the tokeniser has left them all (end of body, or before reading it again as text). */
    void closeAll() {
        for (RowFinder group : groups) {
            if (group != null) {
                group.close();
            }
        }
        textRows.close();
    }

    private void textToken(byte[] bytes, int start, int end) {
        position++;
        if (hasher.normalize(bytes, start, end)) {
            found(hasher.hash(), textRows, TEXT_WINDOW - 1);
        }
    }

    private void unicodeTextToken(String token) {
        String normal = java.text.Normalizer.normalize(token, java.text.Normalizer.Form.NFKC);
        int i = 0;
        while (i < normal.length()) {
            while (i < normal.length() && isSeparator(normal.charAt(i))) {
                i++;
            }
            int pieceStart = i;
            while (i < normal.length() && !isSeparator(normal.charAt(i))) {
                i++;
            }
            int pieceEnd = i;
            while (pieceEnd > pieceStart && normal.charAt(pieceEnd - 1) == '.') {
                pieceEnd--;
            }
            if (pieceEnd > pieceStart) {
                position++;
                if (hasher.normalizeText(normal.substring(pieceStart, pieceEnd))) {
                    found(hasher.hash(), textRows, TEXT_WINDOW - 1);
                }
            }
        }
    }

    private void found(long value, RowFinder rows, long reach) {
        if (index.isRare(value)) {
            findings.addRareValue(value);
        }
        if (index.isPairValue(value)) {
            rows.add(value, position, reach);
        }
    }

    private static boolean hasSeparator(byte[] bytes, int start, int end) {
        for (int i = start; i < end; i++) {
            if (bytes[i] >= 0 ? TEXT_SEPARATOR[bytes[i]] : true) {
                // a non-ASCII byte may be a full-width space or comma: let text() decide
                return true;
            }
        }
        return false;
    }

    private static boolean isSeparator(byte b) {
        return b >= 0 && TEXT_SEPARATOR[b];
    }

    private static boolean isSeparator(char c) {
        return c < 128 ? TEXT_SEPARATOR[c] : Character.isWhitespace(c) || Character.isSpaceChar(c);
    }
}
