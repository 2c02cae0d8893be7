package org.sluice.policy.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals as typed values, built from their bytes so that parsing never asks DNS: an IPv4 dotted quad
 * (four decimal parts 0..255 without leading zeros) or an IPv6 literal without brackets and without a zone id.
 */
public final class IpLiteral {

    private IpLiteral() {}

    /**
     * The address a literal spells.
     *
     * @throws IllegalArgumentException with a one-sentence reason when text is not an IP literal
     */
    public static InetAddress parse(String text) {
        byte[] bytes = text == null ? null : Cidr.literal(text);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address literal; expected a dotted quad "
                    + "such as 10.96.0.10 or an IPv6 address such as ::1 (names are not accepted here)");
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException("4 or 16 bytes are always an address", impossible);
        }
    }

    /** True when text is an IPv4 dotted quad or an IPv6 literal (no brackets, no zone id). */
    public static boolean isLiteral(String text) {
        return text != null && Cidr.literal(text) != null;
    }

    /** True when text is exactly four decimal parts 0..255 without leading zeros (and no trailing dot). */
    public static boolean isDottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
                    || !part.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }
}
