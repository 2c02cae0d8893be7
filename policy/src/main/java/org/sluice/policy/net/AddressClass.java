package org.sluice.policy.net;

import java.net.InetAddress;

/**
 * The classification of one address: its category, whether Sluice may connect to it, and why, in one sentence.
 *
 * @param address   the address as classified
 * @param category  what kind of address it is; for an IPv6 form that embeds an IPv4 address, the IPv4's category
 * @param allowedBy the {@code allowPrivate} entry that admits a non-public address; null when none does
 * @param reason    one sentence naming the address, its category and the decisive range, e.g.
 *                  {@code "169.254.169.254 is the cloud metadata service (link-local 169.254.0.0/16)"}
 */
public record AddressClass(InetAddress address, AddressCategory category, Cidr allowedBy, String reason) {

    /** True when Sluice may connect: a public address, or one that an {@code allowPrivate} entry admits. */
    public boolean allowed() {
        return category == AddressCategory.PUBLIC || allowedBy != null;
    }

    /**
     * How to admit this address, for a message about a refused one: {@code set allowPrivate: [10.1.2.3/32] (or a
     * block that holds it) to allow it}. An IPv6 block is quoted, as YAML needs.
     */
    public String allowPrivateHint() {
        Cidr block = Cidr.single(address);
        String item = block.isIpv6() ? "\"" + block + "\"" : block.toString();
        return "set allowPrivate: [" + item + "] (or a block that holds it) to allow it";
    }
}
