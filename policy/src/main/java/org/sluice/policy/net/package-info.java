/**
 * Which network addresses Sluice may connect to: {@link org.sluice.policy.net.AddressClassifier} sorts an
 * already-resolved {@link java.net.InetAddress} into a {@link org.sluice.policy.net.AddressCategory} (public, or a
 * denied kind such as loopback, private or link-local) from its bytes alone, and admits the denied addresses that
 * the policy's {@code allowPrivate} list of {@link org.sluice.policy.net.Cidr} blocks names. Pure Java: no DNS, no
 * I/O, no Netty types.
 */
package org.sluice.policy.net;
