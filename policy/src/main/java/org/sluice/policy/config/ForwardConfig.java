package org.sluice.policy.config;

/**
 * The HTTP_PROXY/HTTPS_PROXY listener: clients name their own destination, in absolute-form plain-HTTP requests
 * and CONNECT tunnels, and the rules decide which destinations they may reach.
 *
 * @param listen     where it binds; never the same address as gateway.listen or admin.listen
 * @param timeouts   defaults filled in
 * @param caps       connection caps, defaults filled in (same meaning as the gateway's)
 * @param maxTunnels CONNECT tunnels open at once, 1..10000000; default 1024
 * @param dns        how destination names are resolved, defaults filled in
 */
public record ForwardConfig(ListenAddress listen, ForwardTimeouts timeouts, ConnectionCaps caps, int maxTunnels,
                            DnsConfig dns) {

    /** maxTunnels when the config leaves it out. */
    static final int DEFAULT_MAX_TUNNELS = 1024;
}
