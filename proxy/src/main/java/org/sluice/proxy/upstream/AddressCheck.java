package org.sluice.proxy.upstream;

import java.net.InetAddress;
import java.util.List;
import org.sluice.policy.net.AddressClass;
import org.sluice.policy.net.AddressClassifier;

/**
 * The address check before every dial: every address a name resolved to must be allowed, and the one dialled is
 * the first of them. A name that answers with an allowed and a refused address is refused whole: that mix is what
 * DNS rebinding looks like.
 */
public final class AddressCheck {
    private AddressCheck() {
    }

    /**
     * @return the address to dial, one of {@code resolved}
     * @throws UpstreamAddressDeniedException naming the first refused address and why
     */
    public static InetAddress choose(List<InetAddress> resolved, AddressClassifier classifier)
            throws UpstreamAddressDeniedException {
        if (resolved.isEmpty()) {
            throw new IllegalArgumentException("no address to check");
        }
        for (InetAddress address : resolved) {
            AddressClass verdict = classifier.classify(address);
            if (!verdict.allowed()) {
                throw new UpstreamAddressDeniedException(verdict);
            }
        }
        return resolved.get(0);
    }
}
