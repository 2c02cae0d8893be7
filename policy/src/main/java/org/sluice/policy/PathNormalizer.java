package org.sluice.policy;

/**
 * RFC 3986 path normalisation with refusal of ambiguous input.
 *
 * <p>Policy is matched on the normal form, and the normal form is what goes upstream, so a path that two servers
 * could read differently (encoded separators, backslashes, broken escapes, a climb above the root) is refused
 * rather than guessed at. Escapes of unreserved characters are decoded, every other escape is kept with upper-case
 * hex, dot segments are removed (also when spelled {@code %2e}) and runs of '/' are merged.
 */
public final class PathNormalizer {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathNormalizer() {}

    /** rawPath: the request-target path part, before '?', exactly as received. Never throws on bad input. */
    public static NormalizedPath normalize(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return refused("the request path is empty; it must start with '/'");
        }
        if (rawPath.charAt(0) != '/') {
            return refused("the request path must start with '/'");
        }
        if (isAlreadyNormal(rawPath)) {
            return new NormalizedPath(rawPath, null);
        }
        StringBuilder decoded = new StringBuilder(rawPath.length());
        String error = normalizeEscapes(rawPath, decoded);
        if (error != null) {
            return refused(error);
        }
        return removeDotSegments(decoded);
    }

    private static NormalizedPath refused(String error) {
        return new NormalizedPath(null, error);
    }

    /** Most paths are plain; recognising them saves two copies per request. */
    private static boolean isAlreadyNormal(String path) {
        int segmentStart = 1;
        int n = path.length();
        for (int i = 1; i <= n; i++) {
            char c = i < n ? path.charAt(i) : '/';
            if (c == '/') {
                int length = i - segmentStart;
                if (length == 0 && i < n) {
                    return false; // "//"
                }
                if (isDotSegment(path, segmentStart, i)) {
                    return false;
                }
                segmentStart = i + 1;
            } else if (c == '%' || c == ';' || !isPathChar(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDotSegment(CharSequence s, int start, int end) {
        int length = end - start;
        return (length == 1 && s.charAt(start) == '.')
                || (length == 2 && s.charAt(start) == '.' && s.charAt(start + 1) == '.');
    }

    /** Copies raw into out with escapes decoded or upper-cased; returns why the path is refused, or null. */
    private static String normalizeEscapes(String raw, StringBuilder out) {
        int n = raw.length();
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int b = hexByte(raw, i);
                if (b < 0) {
                    return "the path has a malformed percent-escape: '%' must be followed by two hex digits";
                }
                i += 2;
                if (b < 0x80) {
                    String error = asciiEscape(b, out);
                    if (error != null) {
                        return error;
                    }
                    continue;
                }
                int length = utf8Length(b);
                if (length == 0) {
                    return "the path's percent-escapes are not valid UTF-8";
                }
                appendEscape(out, b);
                for (int k = 1; k < length; k++) {
                    if (i + 1 >= n || raw.charAt(i + 1) != '%') {
                        return "the path's percent-escapes are not valid UTF-8";
                    }
                    int next = hexByte(raw, i + 1);
                    if (next < 0) {
                        return "the path has a malformed percent-escape: '%' must be followed by two hex digits";
                    }
                    if (!isContinuation(b, k, next)) {
                        return "the path's percent-escapes are not valid UTF-8";
                    }
                    appendEscape(out, next);
                    i += 3;
                }
            } else if (c >= 0x80) {
                return "the path contains a non-ASCII character; it must be percent-encoded as UTF-8";
            } else if (c < 0x20 || c == 0x7F) {
                return "the path contains a control character";
            } else if (c == '\\') {
                return "the path contains a backslash, which servers read differently";
            } else if (!isPathChar(c)) {
                return "the path contains '" + c + "', which RFC 3986 allows only percent-encoded";
            } else {
                out.append(c);
            }
        }
        return null;
    }

    private static String asciiEscape(int b, StringBuilder out) {
        if (b == '/') {
            return "the path contains an encoded '/' (%2F), which servers read differently";
        }
        if (b == '\\') {
            return "the path contains an encoded backslash (%5C), which servers read differently";
        }
        if (b < 0x20 || b == 0x7F) {
            return "the path contains an encoded control character";
        }
        if (isUnreserved(b)) {
            out.append((char) b);
        } else {
            appendEscape(out, b);
        }
        return null;
    }

    /** The byte written by the escape starting at '%' at index i, or -1 when it is not "%XX". */
    private static int hexByte(String s, int i) {
        if (i + 2 >= s.length()) {
            return -1;
        }
        int high = Character.digit(s.charAt(i + 1), 16);
        int low = Character.digit(s.charAt(i + 2), 16);
        if (high < 0 || low < 0 || s.charAt(i + 1) > 0x7F || s.charAt(i + 2) > 0x7F) {
            return -1;
        }
        return high << 4 | low;
    }

    /** RFC 3986 pchar and '/', without '%': what may stand raw in a path. */
    private static boolean isPathChar(char c) {
        return isUnreserved(c) || c == '/' || c == ':' || c == '@' || c == '!' || c == '$' || c == '&' || c == '\''
                || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=';
    }

    /** "..;x" or ".;x": Tomcat and others strip the parameter and then read a dot segment. */
    private static boolean isDotSegmentWithParameter(CharSequence s, int start, int end) {
        for (int i = start; i < end; i++) {
            if (s.charAt(i) == ';') {
                return i > start && isDotSegment(s, start, i);
            }
        }
        return false;
    }

    private static boolean isUnreserved(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                || b == '-' || b == '.' || b == '_' || b == '~';
    }

    private static void appendEscape(StringBuilder out, int b) {
        out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
    }

    /** Sequence length announced by a UTF-8 lead byte, or 0 when the byte cannot start a sequence. */
    private static int utf8Length(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 0;
    }

    /** RFC 3629 table: the second byte's range rules out overlong forms, surrogates and code points past U+10FFFF. */
    private static boolean isContinuation(int lead, int index, int b) {
        if (index == 1) {
            switch (lead) {
                case 0xE0: return b >= 0xA0 && b <= 0xBF;
                case 0xED: return b >= 0x80 && b <= 0x9F;
                case 0xF0: return b >= 0x90 && b <= 0xBF;
                case 0xF4: return b >= 0x80 && b <= 0x8F;
                default: break;
            }
        }
        return b >= 0x80 && b <= 0xBF;
    }

    /** RFC 3986 5.2.4 on a path whose escapes are already normal, merging runs of '/' and refusing a climb above '/'. */
    private static NormalizedPath removeDotSegments(CharSequence s) {
        int n = s.length();
        StringBuilder out = new StringBuilder(n);
        boolean trailingSlash = false;
        int pos = 0;
        while (pos < n) {
            while (pos < n && s.charAt(pos) == '/') {
                pos++;
            }
            if (pos == n) {
                trailingSlash = true;
                break;
            }
            int end = pos;
            while (end < n && s.charAt(end) != '/') {
                end++;
            }
            if (isDotSegmentWithParameter(s, pos, end)) {
                return refused("the path has a dot segment with a ';' parameter, which some servers read as '..'");
            }
            if (isDotSegment(s, pos, end)) {
                if (end - pos == 2) {
                    if (out.length() == 0) {
                        return refused("the path's '..' climbs above the root");
                    }
                    out.setLength(out.lastIndexOf("/"));
                }
                trailingSlash = true;
            } else {
                out.append('/').append(s, pos, end);
                trailingSlash = false;
            }
            pos = end;
        }
        if (out.length() == 0 || trailingSlash) {
            out.append('/');
        }
        return new NormalizedPath(out.toString(), null);
    }
}
