/**
 * The pure policy model: a compiled {@link org.sluice.policy.Policy} answers {@code decide(method, path)} with a
 * pre-built {@link org.sluice.policy.Decision}, and {@link org.sluice.policy.PathNormalizer} turns a raw request path
 * into the one normal form that policy is matched on. No Netty types and no I/O.
 */
package org.sluice.policy;
