package org.sluice.policy.config;

/**
 * The reverse-proxy listener: the algorithm talks plain HTTP to it and allowed requests go to one upstream.
 *
 * @param listen   where it binds
 * @param upstream the central server every allowed request goes to
 * @param timeouts defaults filled in
 * @param caps     connection caps, defaults filled in
 */
public record GatewayConfig(ListenAddress listen, UpstreamConfig upstream, GatewayTimeouts timeouts,
                            ConnectionCaps caps) {}
