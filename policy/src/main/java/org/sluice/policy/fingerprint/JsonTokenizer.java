package org.sluice.policy.fingerprint;

/**
 * Reads JSON for the scanner: every string (keys too: a key can carry a value as well as a value can) and every
 * number is a value of the group of the object or array it stands in; {@code true}, {@code false} and
 * {@code null} are skipped (a boolean is never rare and says nothing in a pair). It checks only what it needs to
 * find the groups: tokens and bracket nesting, not where the commas and colons stand (the engine's JSON check
 * validates); anything else ends the read as not JSON.
 */
final class JsonTokenizer {

    private JsonTokenizer() {
    }

    /** False when the bytes are not JSON (the caller reads them as text); every group is closed either way. */
    static boolean scan(Scan scan, byte[] bytes, int start, int end) {
        boolean json = read(scan, bytes, start, end);
        scan.closeAll();
        return json;
    }

    private static boolean read(Scan scan, byte[] bytes, int start, int end) {
        byte[] open = new byte[64];
        int depth = 0;
        RowFinder group = scan.group(0);
        int i = start;
        while (i < end) {
            byte b = bytes[i];
            switch (b) {
                case ' ', '\t', '\n', '\r', ',', ':' -> i++;
                case '{', '[' -> {
                    if (depth == open.length) {
                        open = java.util.Arrays.copyOf(open, depth * 2);
                    }
                    open[depth++] = b;
                    group = scan.group(depth);
                    i++;
                }
                case '}', ']' -> {
                    if (depth == 0 || open[depth - 1] != (b == '}' ? '{' : '[')) {
                        return false;
                    }
                    // a group ends with its container; containers deeper than the last finder share it
                    if (depth <= Scan.MAX_GROUP_DEPTH) {
                        group.close();
                    }
                    depth--;
                    group = scan.group(depth);
                    i++;
                }
                case '"' -> {
                    i = string(scan, bytes, i + 1, end, group);
                    if (i < 0) {
                        return false;
                    }
                }
                case 't' -> i = literal(bytes, i, end, "true");
                case 'f' -> i = literal(bytes, i, end, "false");
                case 'n' -> i = literal(bytes, i, end, "null");
                default -> {
                    if (b != '-' && (b < '0' || b > '9')) {
                        return false;
                    }
                    int numberStart = i;
                    while (i < end && isNumberByte(bytes[i])) {
                        i++;
                    }
                    scan.value(bytes, numberStart, i, group);
                }
            }
            if (i < 0) {
                return false;
            }
        }
        return depth == 0;
    }

    /** Reads a string whose opening quote is just before {@code i}; returns the index after its closing quote. */
    private static int string(Scan scan, byte[] bytes, int i, int end, RowFinder group) {
        int contentStart = i;
        boolean escaped = false;
        while (i < end && bytes[i] != '"') {
            if (bytes[i] == '\\') {
                escaped = true;
                i++;
            }
            i++;
        }
        if (i >= end) {
            return -1;
        }
        if (escaped) {
            String decoded = unescape(bytes, contentStart, i);
            if (decoded == null) {
                return -1;
            }
            scan.value(decoded, group);
        } else {
            scan.value(bytes, contentStart, i, group);
        }
        return i + 1;
    }

    /** The text of a string with backslash escapes, or null when one is not JSON. */
    private static String unescape(byte[] bytes, int start, int end) {
        String raw = new String(bytes, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i >= raw.length()) {
                return null;
            }
            char e = raw.charAt(i);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i + 4 >= raw.length()) {
                        return null;
                    }
                    int code = 0;
                    for (int h = 1; h <= 4; h++) {
                        int digit = Character.digit(raw.charAt(i + h), 16);
                        if (digit < 0) {
                            return null;
                        }
                        code = code * 16 + digit;
                    }
                    out.append((char) code);
                    i += 4;
                }
                default -> {
                    return null;
                }
            }
        }
        return out.toString();
    }

    private static int literal(byte[] bytes, int i, int end, String word) {
        if (end - i < word.length()) {
            return -1;
        }
        for (int w = 0; w < word.length(); w++) {
            if (bytes[i + w] != word.charAt(w)) {
                return -1;
            }
        }
        return i + word.length();
    }

    private static boolean isNumberByte(byte b) {
        return (b >= '0' && b <= '9') || b == '.' || b == '-' || b == '+' || b == 'e' || b == 'E';
    }
}
