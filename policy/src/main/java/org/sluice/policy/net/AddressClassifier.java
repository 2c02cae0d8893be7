package org.sluice.policy.net;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decides from an address's bytes whether Sluice may connect to it, in the manner of Smokescreen's
 * {@code classifyAddr}: the address is one that has already been resolved, the decision is a value
 * ({@link AddressClass}), and the caller connects to exactly the address it classified. No DNS, no I/O.
 *
 * <p>Public unicast addresses are allowed; loopback, unspecified, private, shared (CGNAT), link-local (the cloud
 * metadata service among them), unique-local, site-local, multicast, broadcast, documentation, benchmarking, other
 * IANA special-purpose and reserved addresses are denied, unless an {@code allowPrivate} block contains the address.
 * Documentation and benchmarking blocks are denied because they are never routed on the internet: a name that
 * resolves there is a mistake or an attempt to reach something internal that reuses them.
 *
 * <p>IPv6 forms that carry an IPv4 address are judged by that IPv4 address: IPv4-mapped {@code ::ffff:0:0/96} (which
 * is treated as the IPv4 address itself, also for {@code allowPrivate}), IPv4-compatible {@code ::/96} (deprecated),
 * NAT64 {@code 64:ff9b::/96} (last 32 bits) and 6to4 {@code 2002::/16} (bits 16 to 48). The local-use NAT64 prefix
 * {@code 64:ff9b:1::/48} is denied outright: where its IPv4 sits depends on the operator's prefix length. Teredo
 * ({@code 2001::/32}) is denied outright: both of the IPv4 addresses it carries (server, and obfuscated client) are
 * chosen by whoever owns the name, and a central server has no reason to live behind a Teredo tunnel.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class AddressClassifier {

    /** Denies every non-public address: the classifier of a policy without {@code allowPrivate}. */
    public static final AddressClassifier DENY_PRIVATE = new AddressClassifier(List.of());

    private record Range(Cidr block, AddressCategory category, String what) {
        Range(String block, AddressCategory category, String what) {
            this(Cidr.parse(block), category, what);
        }
    }

    /** Finding before allowPrivate: the category and why. */
    private record Found(AddressCategory category, String reason) {}

    /** First match wins, so a more specific block comes before the block that holds it. */
    private static final List<Range> IPV4 = List.of(
            new Range("0.0.0.0/8", AddressCategory.UNSPECIFIED, "an unspecified (this-network) address"),
            new Range("10.0.0.0/8", AddressCategory.PRIVATE, "a private (RFC 1918) address"),
            new Range("100.64.0.0/10", AddressCategory.SHARED, "a shared (carrier-grade NAT, RFC 6598) address"),
            new Range("127.0.0.0/8", AddressCategory.LOOPBACK, "a loopback address"),
            new Range("169.254.169.254/32", AddressCategory.LINK_LOCAL,
                    "the cloud metadata service, a link-local address"),
            new Range("169.254.0.0/16", AddressCategory.LINK_LOCAL, "a link-local address"),
            new Range("172.16.0.0/12", AddressCategory.PRIVATE, "a private (RFC 1918) address"),
            new Range("192.0.0.0/24", AddressCategory.SPECIAL_PURPOSE, "an IETF protocol assignment"),
            new Range("192.0.2.0/24", AddressCategory.DOCUMENTATION, "a documentation address (TEST-NET-1)"),
            new Range("192.88.99.0/24", AddressCategory.SPECIAL_PURPOSE,
                    "a 6to4 relay anycast address (deprecated)"),
            new Range("192.168.0.0/16", AddressCategory.PRIVATE, "a private (RFC 1918) address"),
            new Range("198.18.0.0/15", AddressCategory.BENCHMARKING, "a benchmarking address"),
            new Range("198.51.100.0/24", AddressCategory.DOCUMENTATION, "a documentation address (TEST-NET-2)"),
            new Range("203.0.113.0/24", AddressCategory.DOCUMENTATION, "a documentation address (TEST-NET-3)"),
            new Range("224.0.0.0/4", AddressCategory.MULTICAST, "a multicast address"),
            new Range("255.255.255.255/32", AddressCategory.BROADCAST, "the broadcast address"),
            new Range("240.0.0.0/4", AddressCategory.RESERVED, "a reserved address"));

    private static final List<Range> IPV6 = List.of(
            new Range("::/128", AddressCategory.UNSPECIFIED, "the unspecified address"),
            new Range("::1/128", AddressCategory.LOOPBACK, "the loopback address"),
            new Range("64:ff9b:1::/48", AddressCategory.SPECIAL_PURPOSE, "a local-use NAT64 address"),
            new Range("100::/64", AddressCategory.SPECIAL_PURPOSE, "a discard-only address"),
            new Range("2001::/32", AddressCategory.TEREDO, "a Teredo tunnel address"),
            new Range("2001:2::/48", AddressCategory.BENCHMARKING, "a benchmarking address"),
            new Range("2001::/23", AddressCategory.SPECIAL_PURPOSE, "an IETF protocol assignment"),
            new Range("2001:db8::/32", AddressCategory.DOCUMENTATION, "a documentation address"),
            new Range("3fff::/20", AddressCategory.DOCUMENTATION, "a documentation address"),
            new Range("fc00::/7", AddressCategory.UNIQUE_LOCAL, "a unique-local address"),
            new Range("fe80::/10", AddressCategory.LINK_LOCAL, "a link-local address"),
            new Range("fec0::/10", AddressCategory.SITE_LOCAL, "a site-local address (deprecated)"),
            new Range("ff00::/8", AddressCategory.MULTICAST, "a multicast address"));

    private static final Cidr GLOBAL_UNICAST = Cidr.parse("2000::/3");
    private static final Cidr IPV4_COMPATIBLE = Cidr.parse("::/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    private final List<Cidr> allowPrivate;

    /**
     * @param allowPrivate blocks whose non-public addresses may be connected to; in policy order, the first that
     *                     contains an address is reported as the one that admits it
     */
    public AddressClassifier(List<Cidr> allowPrivate) {
        this.allowPrivate = List.copyOf(Objects.requireNonNull(allowPrivate, "allowPrivate"));
    }

    /** The {@code allowPrivate} blocks, in policy order. */
    public List<Cidr> allowPrivate() {
        return allowPrivate;
    }

    /** Classifies address from its bytes alone; never resolves or reverse-resolves a name. */
    public AddressClass classify(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 16 && isMapped(bytes)) {
            bytes = Arrays.copyOfRange(bytes, 12, 16);
        }
        Found found = bytes.length == 4 ? ipv4(bytes) : ipv6(bytes);
        if (found.category() == AddressCategory.PUBLIC) {
            return new AddressClass(address, AddressCategory.PUBLIC, null, found.reason());
        }
        for (Cidr block : allowPrivate) {
            if (block.contains(bytes)) {
                return new AddressClass(address, found.category(), block,
                        found.reason() + "; admitted by allowPrivate " + block);
            }
        }
        return new AddressClass(address, found.category(), null, found.reason());
    }

    private static Found ipv4(byte[] bytes) {
        String text = AddressText.format(bytes);
        for (Range range : IPV4) {
            if (range.block().contains(bytes)) {
                return new Found(range.category(), text + " is " + range.what() + " (" + range.block() + ")");
            }
        }
        return new Found(AddressCategory.PUBLIC, text + " is a public address");
    }

    private static Found ipv6(byte[] bytes) {
        String text = AddressText.format(bytes);
        for (int i = 0; i < 2; i++) { // :: and ::1 before the IPv4-compatible block that holds them
            Range range = IPV6.get(i);
            if (range.block().contains(bytes)) {
                return new Found(range.category(), text + " is " + range.what() + " (" + range.block() + ")");
            }
        }
        if (IPV4_COMPATIBLE.contains(bytes)) {
            return embedded(text, "an IPv4-compatible address (deprecated)", Arrays.copyOfRange(bytes, 12, 16));
        }
        if (NAT64.contains(bytes)) {
            return embedded(text, "a NAT64 address", Arrays.copyOfRange(bytes, 12, 16));
        }
        if (SIX_TO_FOUR.contains(bytes)) {
            return embedded(text, "a 6to4 address", Arrays.copyOfRange(bytes, 2, 6));
        }
        for (Range range : IPV6.subList(2, IPV6.size())) {
            if (range.block().contains(bytes)) {
                return new Found(range.category(), text + " is " + range.what() + " (" + range.block() + ")");
            }
        }
        if (!GLOBAL_UNICAST.contains(bytes)) {
            return new Found(AddressCategory.RESERVED,
                    text + " is a reserved address (outside the global unicast " + GLOBAL_UNICAST + ")");
        }
        return new Found(AddressCategory.PUBLIC, text + " is a public address");
    }

    /** An IPv6 form judged by the IPv4 address it carries. */
    private static Found embedded(String text, String form, byte[] ipv4) {
        Found inner = ipv4(ipv4);
        return new Found(inner.category(), text + " is " + form + " carrying " + inner.reason());
    }

    private static boolean isMapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }
}
