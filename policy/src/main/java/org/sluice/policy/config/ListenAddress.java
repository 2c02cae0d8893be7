package org.sluice.policy.config;

/**
 * Where a listener binds: written "0.0.0.0:8080", "127.0.0.1:0" or "[::1]:9090".
 *
 * @param host IPv4 literal, IPv6 literal without brackets, or host name
 * @param port 0..65535 (0 = pick a free port)
 */
public record ListenAddress(String host, int port) {}
