package org.sluice.proxy.gateway;

import org.sluice.policy.Decision;
import org.sluice.policy.Policy;
import org.sluice.proxy.audit.AuditRecord;
import org.sluice.proxy.task.TaskClaims;

/**
 * One request's life on a client connection, from its head to the audit record. Lives on the connection's
 * event loop only; the handlers of that connection fill it in as the request moves through them.
 */
final class Exchange {
    final String id;
    /**
     * The policy in force when the request arrived, read once: it decides the request and its hash goes into the
     * audit record, even if a reload swaps the policy while the request is in flight.
     */
    final Policy policy;
    final long startNanos;
    final long startEpochMillis;
    final String method;
    final String target;
    /** The request declared a body (Content-Length > 0 or chunked); a refusal then closes the connection. */
    final boolean hasBody;
    final boolean clientKeepAlive;

    /** Where the request goes, as its listener read the target; null until then (or when it could not be read). */
    Route route;
    String path;
    Decision decision;
    /** The client spoke HTTP/1.0: its response needs 1.0 framing. Read before the head is rewritten to 1.1. */
    boolean clientHttp10;
    /** Set when a check after the policy's decision refused the exchange (a tunnel's TLS server name). */
    boolean deniedAfterDecision;
    /** Set when a content check would have refused the exchange but reports instead: recorded as "report". */
    boolean reportedAfterDecision;
    /** What the rule's content checks found; null when none ran. */
    AuditRecord.Content content;
    String reason;
    String error;
    int status;
    /** Request body bytes sent upstream (a tunnel: bytes relayed from the client). */
    long reqBytes;
    /** Every request byte sent upstream: request line, headers and body as forwarded (a tunnel: as reqBytes). */
    long reqBytesSent;
    long respBytes;
    /** When the relay asked for an upstream connection; 0 until then. */
    long upstreamStartNanos;
    /** From {@link #upstreamStartNanos} to the upstream's response head; -1 while there is none. */
    long upstreamNanos = -1;
    String reqSha256;
    String upstreamAddress;
    boolean refused;
    boolean responseStarted;
    boolean closeAfterResponse;
    /** For a budget refusal: seconds until the window ends (Retry-After), or -1 when waiting would not help. */
    long retryAfterSeconds = -1;
    /** CONNECT tunnels only: the TLS server name the client sent, and how the tunnel ended. */
    String sni;
    String closeReason;
    boolean tunnel;
    /** The task the request's container token claims (unverified); null when it has no token that parses. */
    TaskClaims task;
    private boolean finished;

    Exchange(String id, Policy policy, String method, String target, boolean hasBody, boolean clientKeepAlive) {
        this.id = id;
        this.policy = policy;
        this.startNanos = System.nanoTime();
        this.startEpochMillis = System.currentTimeMillis();
        this.method = method;
        this.target = target;
        this.hasBody = hasBody;
        this.clientKeepAlive = clientKeepAlive;
        this.closeAfterResponse = !clientKeepAlive;
    }

    /** True exactly once: the caller then writes the audit record and the metrics. */
    boolean markFinished() {
        if (finished) {
            return false;
        }
        finished = true;
        return true;
    }

    boolean finished() {
        return finished;
    }

    String decisionName() {
        if (decision == null || deniedAfterDecision) {
            return "deny";
        }
        return reportedAfterDecision ? "report" : decision.auditName();
    }

    String ruleName() {
        return decision == null ? null : decision.rule();
    }
}
