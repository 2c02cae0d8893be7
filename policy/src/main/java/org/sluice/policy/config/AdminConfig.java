package org.sluice.policy.config;

/**
 * The admin listener serving /healthz, /readyz and /metrics.
 *
 * @param listen where it binds
 */
public record AdminConfig(ListenAddress listen) {}
