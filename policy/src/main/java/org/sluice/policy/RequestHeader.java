package org.sluice.policy;

import java.nio.charset.StandardCharsets;

/**
 * One request header line as a client would send it, for {@code policy explain -H} and the cases of
 * {@code policy test}.
 *
 * @param name  an RFC 9110 token, as written
 * @param value the field value without surrounding spaces or tabs
 */
public record RequestHeader(String name, String value) {

    /** Checks both parts; IllegalArgumentException with {@link #problem}'s sentence when one is not valid. */
    public RequestHeader {
        String problem = problem(name, value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * Reads "Name: value", as curl's -H takes it.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong
     */
    public static RequestHeader parse(String line) {
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("header '" + HostNames.shorten(line) + "' has no ':'; expected "
                    + "'Name: value'");
        }
        return new RequestHeader(line.substring(0, colon), trimWhitespace(line.substring(colon + 1)));
    }

    /** Why name or value cannot be sent in an HTTP/1.1 header, or null when both can. */
    public static String problem(String name, String value) {
        if (name == null || name.isEmpty()) {
            return "a header name is empty; expected a token such as X-Request-Tag";
        }
        if (!HttpTokens.isToken(name)) {
            return "'" + HostNames.shorten(name) + "' is not a header name; expected a token such as "
                    + "X-Request-Tag (letters, digits and !#$%&'*+-.^_`|~, no spaces)";
        }
        if (value == null) {
            return "header " + name + " has no value";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                return "the value of header " + name + " contains a control character";
            }
        }
        return null;
    }

    /** The line's size as a client sends it, "Name: value" in UTF-8 without the line end. */
    public int lineBytes() {
        return name.length() + 2 + value.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String trimWhitespace(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && (text.charAt(start) == ' ' || text.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == '\t')) {
            end--;
        }
        return text.substring(start, end);
    }

    @Override
    public String toString() {
        return name + ": " + value;
    }
}
