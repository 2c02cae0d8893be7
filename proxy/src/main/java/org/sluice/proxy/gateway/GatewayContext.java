package org.sluice.proxy.gateway;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.sluice.policy.Policy;
import org.sluice.policy.config.GatewayTimeouts;
import org.sluice.policy.config.Limits;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.budget.BudgetLedger;
import org.sluice.proxy.budget.ContentLedger;
import org.sluice.proxy.upstream.Upstream;

/**
 * What every connection of one HTTP listener shares: the policy in force (swapped whole on reload; each exchange
 * reads it once, when its request arrives), how request targets are routed, the audit log, and the server's drain
 * state. The gateway and the forward listener each have one; they differ in {@code listener}, {@code router}
 * and {@code tunnels}.
 *
 * @param listener "gateway" or "forward": the audit records' {@code listener} and how messages name it
 * @param upstream the central server for the gateway; null for the forward listener, whose routes carry their own
 * @param tunnels  CONNECT support (forward listener only); null when the listener refuses CONNECT
 * @param budgets  what has been sent so far against the egress budgets; one ledger for both listeners
 * @param contentLedger the protected rows and rare values let out so far; one ledger for both listeners
 */
public record GatewayContext(
        String listener,
        AtomicReference<Policy> policy,
        Limits limits,
        GatewayTimeouts timeouts,
        Upstream upstream,
        RequestRouter router,
        Tunnels tunnels,
        AuditLog audit,
        ExchangeRecorder recorder,
        BudgetLedger budgets,
        ContentLedger contentLedger,
        AtomicInteger inFlight,
        AtomicBoolean draining) {

    public static final String GATEWAY = "gateway";
    public static final String FORWARD = "forward";

    /** The gateway listener: origin-form requests, all to {@code upstream}. */
    public GatewayContext(AtomicReference<Policy> policy, Limits limits, GatewayTimeouts timeouts, Upstream upstream,
                          AuditLog audit, ExchangeRecorder recorder, AtomicInteger inFlight, AtomicBoolean draining) {
        this(GATEWAY, policy, limits, timeouts, upstream, new GatewayRouter(upstream), null, audit, recorder,
                new BudgetLedger(), new ContentLedger(), inFlight, draining);
    }
}
