package org.sluice.proxy.gateway;

import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.audit.AuditRecord;
import org.sluice.proxy.metrics.SluiceMetrics;
import org.sluice.policy.Destination;

/** Turns a finished exchange into its one audit record and its metrics; the same facts feed both. */
public final class ExchangeRecorder {
    private final AuditLog audit;
    private final SluiceMetrics metrics;

    public ExchangeRecorder(AuditLog audit, SluiceMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    /** Counts a request refused by a budget, by the budget's scope (client, job, job_total, task). */
    void budgetRefused(String scope) {
        metrics.budgetRefused(scope);
    }

    /**
     * Counts one request the content checks looked at: {@code outcome} passed, refused or reported; {@code check}
     * the check that refused it (or would have), null when it passed; {@code bytes} the body bytes inspected.
     */
    void contentChecked(String outcome, String check, long bytes) {
        metrics.contentChecked(outcome, check, bytes);
    }

    /**
     * @param listener    "gateway" or "forward"
     * @param fallback    the destination recorded for a request whose target could not be read (the gateway's
     *                    upstream); null for the forward listener, whose destination is then unknown
     */
    void record(Exchange ex, String client, String listener, Destination fallback) {
        long durationNanos = System.nanoTime() - ex.startNanos;
        String decision = ex.decisionName();
        Destination d = ex.route != null && ex.route.destination() != null ? ex.route.destination() : fallback;
        audit.record(new AuditRecord(
                ex.startEpochMillis,
                ex.id,
                listener,
                client,
                ex.method,
                d == null ? null : d.scheme(),
                d == null ? null : d.host(),
                d == null ? 0 : d.port(),
                ex.path != null || ex.tunnel ? ex.path : RequestTargets.pathForAudit(ex.target),
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
                ex.target,
                ex.tunnel ? new AuditRecord.Tunnel(ex.sni, ex.closeReason) : null,
                ex.reqBytesSent,
                ex.task,
                ex.content));
        metrics.requestFinished(listener, decision, ex.status, durationNanos, ex.reqBytes, ex.respBytes,
                ex.reqBytesSent);
        if (ex.upstreamNanos >= 0) {
            metrics.upstreamAnswered(listener, ex.upstreamNanos);
        }
    }
}
