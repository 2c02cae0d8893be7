package org.sluice.policy.net;

/**
 * What kind of address an {@link AddressClassifier} found. Only {@link #PUBLIC} is allowed by default; every other
 * category is denied unless the policy's {@code allowPrivate} list names the address.
 */
public enum AddressCategory {
    /** A globally routable unicast address. */
    PUBLIC("public"),
    /** 127.0.0.0/8, ::1: this host. */
    LOOPBACK("loopback"),
    /** 0.0.0.0/8, ::: "this host on this network"; connecting to it reaches this host. */
    UNSPECIFIED("unspecified"),
    /** RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16. */
    PRIVATE("private"),
    /** RFC 6598 shared address space 100.64.0.0/10 (carrier-grade NAT, also used inside clusters). */
    SHARED("shared"),
    /** 169.254.0.0/16, fe80::/10; includes the cloud metadata service 169.254.169.254. */
    LINK_LOCAL("link-local"),
    /** fc00::/7 (RFC 4193): the IPv6 counterpart of RFC 1918. */
    UNIQUE_LOCAL("unique-local"),
    /** fec0::/10, deprecated by RFC 3879 but still routed on some internal networks. */
    SITE_LOCAL("site-local"),
    /** 224.0.0.0/4, ff00::/8. */
    MULTICAST("multicast"),
    /** 255.255.255.255. */
    BROADCAST("broadcast"),
    /** 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20: never routed. */
    DOCUMENTATION("documentation"),
    /** 198.18.0.0/15, 2001:2::/48: for benchmarking; never routed on the internet. */
    BENCHMARKING("benchmarking"),
    /** Other IANA special-purpose blocks (192.0.0.0/24, 192.88.99.0/24, 100::/64, 2001::/23, 64:ff9b:1::/48). */
    SPECIAL_PURPOSE("special-purpose"),
    /** 2001::/32: Teredo tunnels, denied outright (see AddressClassifier). */
    TEREDO("teredo"),
    /** 240.0.0.0/4 and IPv6 outside the global unicast 2000::/3 that no other category covers. */
    RESERVED("reserved");

    private final String label;

    AddressCategory(String label) {
        this.label = label;
    }

    /** The name used in reasons, logs and docs, e.g. {@code link-local}. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
