package org.sluice.proxy.upstream;

import java.io.IOException;
import org.sluice.policy.net.AddressClass;

/**
 * The central server's name resolved (or its literal was) to an address the policy in force refuses; nothing was
 * dialled. The message is the classification's reason, e.g. {@code 127.0.0.1 is a loopback address (127.0.0.0/8)}.
 */
public final class UpstreamAddressDeniedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The audit record's {@code error} for this refusal (through the gateway the client gets 502 {@code upstream_failed}, through the forward listener 403 {@code denied}). */
    public static final String ERROR = "upstream_address_denied";

    private final transient AddressClass address;

    public UpstreamAddressDeniedException(AddressClass address) {
        super(address.reason());
        this.address = address;
    }

    /** The refused address and why it was refused. */
    public AddressClass address() {
        return address;
    }
}
