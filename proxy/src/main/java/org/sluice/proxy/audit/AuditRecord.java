package org.sluice.proxy.audit;

import java.time.Instant;

/**
 * One request's audit facts, written as one JSON line. Field names and their order are the audit contract
 * (docs: DESIGN.md "The audit log"); null fields are written as JSON null.
 *
 * @param ts         when the request finished
 * @param id         the request id, as sent in {@code X-Sluice-Request-Id}
 * @param listener   "gateway" or "forward"
 * @param client     the client's "ip:port"
 * @param method     the request method as received
 * @param scheme     the upstream's scheme
 * @param host       the upstream's host
 * @param port       the upstream's port
 * @param path       the normalised path, never the query
 * @param decision   "allow", "deny" or "report"
 * @param rule       the matching rule's name, null when none matched
 * @param reason     one sentence explaining the decision
 * @param status     the status the client got
 * @param reqBytes   request body bytes received
 * @param respBytes  response body bytes sent to the client
 * @param reqSha256  hex SHA-256 of the request body, null when not computed
 * @param durationMs milliseconds from the request head to the last response byte
 * @param upstream   the "ip:port" actually connected, null if none
 * @param policy     the hash of the policy in force
 * @param error      the {@code X-Sluice-Error} code or an outcome such as "client_closed"; null on a plain success
 * @param query      the query string as received, without its '?'; null when there is none. Never written in
 *                   clear: with {@code audit.query: hash} the writer adds its SHA-256 as {@code querySha256}
 */
public record AuditRecord(Instant ts, String id, String listener, String client, String method,
                          String scheme, String host, int port, String path, String decision, String rule,
                          String reason, int status, long reqBytes, long respBytes, String reqSha256,
                          long durationMs, String upstream, String policy, String error, String query) {

    /** A record of a request without a query string. */
    public AuditRecord(Instant ts, String id, String listener, String client, String method,
                       String scheme, String host, int port, String path, String decision, String rule,
                       String reason, int status, long reqBytes, long respBytes, String reqSha256,
                       long durationMs, String upstream, String policy, String error) {
        this(ts, id, listener, client, method, scheme, host, port, path, decision, rule, reason, status, reqBytes,
                respBytes, reqSha256, durationMs, upstream, policy, error, null);
    }

    /** The query string never shows in logs or test output. */
    @Override
    public String toString() {
        return "AuditRecord[id=" + id + ", method=" + method + ", path=" + path + ", decision=" + decision
                + ", status=" + status + "]";
    }
}
