package org.sluice.policy.config;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks an {@code algorithms} {@code pattern} when the config is read: it must compile, and the registry host part
 * must not contain an unescaped '.', which would let look-alike hosts through.
 */
final class ImagePatternSyntax {

    private ImagePatternSyntax() {}

    /** Why regex is refused, or null when it is fine. */
    static String problem(String regex) {
        if (regex.isEmpty()) {
            return "the pattern is empty; expected a regex for registry/repository, e.g. "
                    + "'harbor\\.example\\.org/algorithms/[a-z-]+'";
        }
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return "bad regex '" + NodeReader.shorten(regex) + "': " + e.getDescription()
                    + (e.getIndex() >= 0 ? " at character " + (e.getIndex() + 1) : "");
        }
        int dot = hostWildcardDot(regex);
        if (dot >= 0) {
            return "pattern '" + NodeReader.shorten(regex) + "': the '.' at character " + (dot + 1) + " is in the "
                    + "registry host (before the first '/') and matches any character, so look-alike hosts would "
                    + "match too (harbor.example.org also matches harborxexample.org); write '\\.' for a dot, "
                    + "or [^/]+ to allow any host on purpose";
        }
        return null;
    }

    /**
     * Index of the first unescaped '.' outside a character class before the first '/' of a top-level alternative,
     * or -1. A scan, not a regex parser: it catches the common mistake, it does not prove a pattern safe.
     */
    private static int hostWildcardDot(String regex) {
        boolean inHost = true;
        int groups = 0;
        int classes = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                char next = regex.charAt(i + 1);
                if (next == 'Q') {
                    int end = regex.indexOf("\\E", i + 2);
                    String quoted = end < 0 ? regex.substring(i + 2) : regex.substring(i + 2, end);
                    inHost &= classes > 0 || quoted.indexOf('/') < 0;
                    i = end < 0 ? regex.length() : end + 1;
                } else {
                    inHost &= classes > 0 || next != '/';
                    i++;
                }
            } else if (classes > 0) {
                classes += c == '[' ? 1 : c == ']' ? -1 : 0;
            } else if (c == '[') {
                classes = 1;
            } else if (c == '(') {
                groups++;
            } else if (c == ')') {
                groups--;
            } else if (c == '|' && groups == 0) {
                inHost = true;
            } else if (c == '/') {
                inHost = false;
            } else if (c == '.' && inHost) {
                return i;
            }
        }
        return -1;
    }
}
