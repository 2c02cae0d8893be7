package org.sluice.policy;

/**
 * Body limits in force for one request after a rule's overrides are applied.
 *
 * @param maxRequestBodyBytes  largest request body forwarded, in bytes
 * @param maxResponseBodyBytes largest response body relayed back, in bytes
 */
public record EffectiveLimits(long maxRequestBodyBytes, long maxResponseBodyBytes) {}
