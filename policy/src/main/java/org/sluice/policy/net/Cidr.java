package org.sluice.policy.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A block of addresses written {@code address/prefix}: {@code 10.0.0.0/8}, {@code fd00::/8}, {@code 127.0.0.2/32}.
 * Parsing never asks DNS: the address must be a literal, and bits beyond the prefix must be zero (so a typo such
 * as {@code 10.0.0.1/8} is an error naming {@code 10.0.0.0/8}, not a silent widening). An IPv4-mapped IPv6 block
 * ({@code ::ffff:a.b.c.d/n}) is refused with its IPv4 spelling, because addresses of that form are judged as the
 * IPv4 address they carry.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses {@code address/prefix}.
     *
     * @throws IllegalArgumentException with a one-sentence reason when text is not a canonical CIDR block
     */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR block; expected address/prefix, "
                    + "e.g. 10.0.0.0/8 or fd00::/8 (a single address is /32 or /128)");
        }
        String addressText = text.substring(0, slash);
        String prefixText = text.substring(slash + 1);
        byte[] address = literal(addressText);
        if (address == null) {
            throw new IllegalArgumentException("'" + addressText + "' in '" + text + "' is not an IPv4 or IPv6 "
                    + "address literal (names are not accepted here)");
        }
        int maxPrefix = address.length * 8;
        if (prefixText.isEmpty() || prefixText.length() > 3 || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')
                || (prefixText.length() > 1 && prefixText.charAt(0) == '0')
                || Integer.parseInt(prefixText) > maxPrefix) {
            throw new IllegalArgumentException("the prefix length '" + prefixText + "' in '" + text
                    + "' must be a whole number from 0 to " + maxPrefix);
        }
        int prefix = Integer.parseInt(prefixText);
        if (address.length == 16 && prefix >= 96 && isMapped(address)) {
            byte[] v4 = Arrays.copyOfRange(address, 12, 16);
            throw new IllegalArgumentException("'" + text + "' is an IPv4-mapped block; write it as the IPv4 block "
                    + new Cidr(masked(v4, prefix - 96), prefix - 96) + " (mapped addresses are judged as IPv4)");
        }
        byte[] network = masked(address, prefix);
        if (!Arrays.equals(network, address)) {
            Cidr canonical = new Cidr(network, prefix);
            throw new IllegalArgumentException("'" + text + "' has bits set beyond the /" + prefix
                    + " prefix; the block is written " + canonical);
        }
        return new Cidr(network, prefix);
    }

    /** The bytes of an IPv4 dotted quad or an IPv6 literal; null when text is neither. Never resolves a name. */
    static byte[] literal(String text) {
        if (text.indexOf(':') < 0) {
            return dottedQuad(text);
        }
        // Only hex digits, colons and dots: InetAddress then parses a literal and never asks DNS. No zone ids.
        if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return null;
        }
        try {
            InetAddress parsed = InetAddress.getByName(text);
            byte[] bytes = parsed.getAddress();
            if (parsed instanceof Inet4Address) {
                // The JDK turns ::ffff:a.b.c.d into an IPv4 address; keep the IPv6 form that was written.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                return mapped;
            }
            return bytes;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Four decimal parts 0-255 without leading zeros (which some parsers read as octal). */
    private static byte[] dottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0') || Integer.parseInt(part) > 255) {
                return null;
            }
            bytes[i] = (byte) Integer.parseInt(part);
        }
        return bytes;
    }

    private static boolean isMapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }

    /**
     * The block of exactly one address ({@code /32} or {@code /128}); an IPv4-mapped IPv6 address gives its IPv4
     * block, as allowPrivate judges it.
     */
    public static Cidr single(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 16 && isMapped(bytes)) {
            bytes = Arrays.copyOfRange(bytes, 12, 16);
        }
        return new Cidr(bytes, bytes.length * 8);
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bitsHere));
        }
        return out;
    }

    /** True when address is inside this block; an address of the other family never is. */
    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /** True when the 4 or 16 address bytes are inside this block; bytes of the other family never are. */
    boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }

    /** The prefix length in bits: 0 to 32 for IPv4, 0 to 128 for IPv6. */
    public int prefix() {
        return prefix;
    }

    /** True for an IPv6 block. */
    public boolean isIpv6() {
        return network.length == 16;
    }

    /** The first address of the block, as bytes (a copy). */
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefix == other.prefix && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    /** The canonical form: dotted quad, or RFC 5952 compressed lower-case IPv6; then /prefix. */
    @Override
    public String toString() {
        return AddressText.format(network) + "/" + prefix;
    }
}
