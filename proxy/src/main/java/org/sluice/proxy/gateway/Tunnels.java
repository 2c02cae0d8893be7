package org.sluice.proxy.gateway;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.sluice.proxy.upstream.ForwardUpstreams;

/**
 * What CONNECT tunnels of the forward listener share.
 *
 * @param upstreams   resolves, checks and dials tunnel destinations
 * @param maxTunnels  tunnels open at once, in all (forward.maxTunnels); a CONNECT over it gets 503
 * @param open        tunnels open now, counted from the CONNECT's acceptance to the connection's close
 * @param clientHello how long after the 200 the client has to send its whole TLS ClientHello
 * @param idle        a tunnel with no byte either way for this long is closed
 */
public record Tunnels(ForwardUpstreams upstreams, int maxTunnels, AtomicInteger open, Duration clientHello,
                      Duration idle) {
}
