package org.sluice.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.sluice.policy.net.AddressClass;
import org.sluice.policy.net.AddressClassifier;

/**
 * The address check before every dial: every address a name resolved to must be allowed, and the one dialled is
 * the first of them. A name that answers with an allowed and a refused address is refused whole: that mix is what
 * DNS rebinding looks like.
 */
public final class AddressCheck {
    /** The classifier that last allowed a connection's address. */
    private static final AttributeKey<AddressClassifier> CHECKED_BY =
            AttributeKey.valueOf(AddressCheck.class, "checkedBy");

    private AddressCheck() {
    }

    /** Notes that {@code classifier} allowed the address {@code channel} was dialled to. */
    static void checked(Channel channel, AddressClassifier classifier) {
        channel.attr(CHECKED_BY).set(classifier);
    }

    /**
     * Whether an idle kept-alive connection may serve another exchange: only while the policy in force still
     * allows its address (after a reload that narrows allowPrivate it is closed instead). One identity check while
     * the policy is unchanged.
     */
    static boolean stillAllowed(Channel idle, AddressClassifier current) {
        if (idle.attr(CHECKED_BY).get() == current) {
            return true;
        }
        if (!(idle.remoteAddress() instanceof InetSocketAddress remote)
                || !current.classify(remote.getAddress()).allowed()) {
            return false;
        }
        checked(idle, current);
        return true;
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
