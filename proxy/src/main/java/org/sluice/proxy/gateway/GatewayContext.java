package org.sluice.proxy.gateway;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.sluice.policy.Policy;
import org.sluice.policy.config.GatewayTimeouts;
import org.sluice.policy.config.Limits;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.upstream.Upstream;

/**
 * What every gateway connection shares: the policy in force (swapped whole on reload; each exchange reads it
 * once, when its request arrives), the upstream pools, the audit log, and the server's drain state.
 */
public record GatewayContext(
        AtomicReference<Policy> policy,
        Limits limits,
        GatewayTimeouts timeouts,
        Upstream upstream,
        AuditLog audit,
        ExchangeRecorder recorder,
        AtomicInteger inFlight,
        AtomicBoolean draining) {
}
