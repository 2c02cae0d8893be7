package org.sluice.policy.config;

/**
 * Per-rule overrides; null = inherit the top-level value.
 *
 * @param maxRequestBodyBytes  override of the top-level request body limit, or null
 * @param maxResponseBodyBytes override of the top-level response body limit, or null
 */
public record LimitOverrides(Long maxRequestBodyBytes, Long maxResponseBodyBytes) {}
