package org.sluice.proxy.gateway;

import java.time.Instant;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.audit.AuditRecord;
import org.sluice.proxy.metrics.SluiceMetrics;
import org.sluice.proxy.upstream.Upstream;

/** Turns a finished exchange into its one audit record and its metrics; the same facts feed both. */
public final class ExchangeRecorder {
    static final String LISTENER = "gateway";

    private final AuditLog audit;
    private final SluiceMetrics metrics;
    private final Upstream upstream;

    public ExchangeRecorder(AuditLog audit, SluiceMetrics metrics, Upstream upstream) {
        this.audit = audit;
        this.metrics = metrics;
        this.upstream = upstream;
    }

    void record(Exchange ex, String client) {
        long durationNanos = System.nanoTime() - ex.startNanos;
        String decision = ex.decisionName();
        audit.record(new AuditRecord(
                Instant.ofEpochMilli(ex.startEpochMillis),
                ex.id,
                LISTENER,
                client,
                ex.method,
                upstream.config().scheme(),
                upstream.config().host(),
                upstream.config().port(),
                ex.path != null ? ex.path : RequestTargets.pathForAudit(ex.target),
                decision,
                ex.ruleName(),
                ex.reason,
                ex.status,
                ex.reqBytes,
                ex.respBytes,
                ex.reqSha256,
                durationNanos / 1_000_000,
                ex.upstreamAddress,
                ex.policy.hash(),
                ex.error,
                ex.target));
        metrics.requestFinished(LISTENER, decision, ex.status, durationNanos, ex.reqBytes, ex.respBytes);
    }
}
