package org.sluice.policy;

import java.net.IDN;
import java.util.Locale;

/**
 * Host names in the one form rules and requests are compared in: ASCII (IDN labels as punycode), lower case,
 * without a trailing dot. IP literals pass through as written (IPv6 without brackets).
 */
public final class HostNames {

    private static final int MAX_HOST_CHARS = 253;
    private static final int MAX_LABEL_CHARS = 63;

    private HostNames() {}

    /**
     * The normal form of a host name from a request or a rule.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong, when host is not a usable host name
     */
    public static String normalize(String host) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("the host name is empty");
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.indexOf(':') >= 0) {
            return ipv6(h);
        }
        String ascii;
        try {
            // Not USE_STD3_ASCII_RULES: it refuses '_', which real service names (Docker Compose) carry.
            ascii = IDN.toASCII(h, 0).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw invalid(host);
        }
        if (!ldhOrUnderscore(ascii)) {
            throw invalid(host);
        }
        if (ascii.isEmpty() || ascii.length() > MAX_HOST_CHARS) {
            throw new IllegalArgumentException("'" + shorten(host) + "' is not a valid host name: it must have 1 to "
                    + MAX_HOST_CHARS + " characters");
        }
        for (String label : ascii.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL_CHARS) {
                throw new IllegalArgumentException("'" + shorten(host) + "' is not a valid host name: every "
                        + "dot-separated label needs 1 to " + MAX_LABEL_CHARS + " characters");
            }
        }
        return ascii;
    }

    private static IllegalArgumentException invalid(String host) {
        return new IllegalArgumentException("'" + shorten(host) + "' is not a valid host name: letters, digits, '-' "
                + "and '_' in dot-separated labels, no label starting or ending with '-' (international names are "
                + "converted to punycode)");
    }

    /** Letters, digits, '-', '_' and '.', with no label starting or ending in '-'. */
    private static boolean ldhOrUnderscore(String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            char c = ascii.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
            if (!ok) {
                return false;
            }
            if (c == '-' && (i == 0 || i == ascii.length() - 1 || ascii.charAt(i - 1) == '.'
                    || ascii.charAt(i + 1) == '.')) {
                return false;
            }
        }
        return true;
    }

    private static String ipv6(String h) {
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
                    || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("'" + shorten(h) + "' is not a valid IPv6 address");
            }
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /** True when host (normal form) is suffix.*, i.e. ends with "." + suffix and has at least one more label. */
    static boolean isBelow(String host, String suffix) {
        return host.length() > suffix.length() + 1 && host.endsWith(suffix)
                && host.charAt(host.length() - suffix.length() - 1) == '.';
    }

    static String shorten(String text) {
        return Echo.shorten(text, 80);
    }
}
