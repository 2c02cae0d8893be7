package org.sluice.policy.config;

/**
 * Top-level size limits.
 *
 * @param maxRequestBodyBytes  largest request body forwarded (a rule may override)
 * @param maxResponseBodyBytes largest response body relayed (a rule may override)
 * @param maxUrlBytes          longest request target, checked before any rule is matched
 * @param maxHeaderBytes       largest header block, checked before any rule is matched
 */
public record Limits(long maxRequestBodyBytes, long maxResponseBodyBytes, int maxUrlBytes, int maxHeaderBytes) {

    /** 1 MiB request bodies, 64 MiB response bodies, 8 KiB URLs, 16 KiB headers. */
    public static final Limits DEFAULTS = new Limits(1 << 20, 64L << 20, 8 << 10, 16 << 10);
}
