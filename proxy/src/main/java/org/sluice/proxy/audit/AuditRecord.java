package org.sluice.proxy.audit;

import java.util.List;
import org.sluice.proxy.task.TaskClaims;

/**
 * One request's audit facts, written as one JSON line. Field names and their order are the audit contract
 * (docs: DESIGN.md "The audit log"); null fields are written as JSON null.
 *
 * @param ts         when the request's head arrived, in milliseconds since the epoch (written as RFC 3339 UTC)
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
 * @param target     the request target as received, null if none was read. Never written: with
 *                   {@code audit.query: hash} the writer adds the SHA-256 of its query (what follows the first '?')
 *                   as {@code querySha256}. Passed whole so that the event loop does not cut the query out.
 * @param tunnel     for a CONNECT tunnel: the TLS server name and how the tunnel ended; null for a request
 * @param reqBytesSent every byte of the request sent upstream: request line, headers and body as forwarded; for a
 *                   tunnel, the bytes relayed from the client (as reqBytes). What egress budgets charge.
 * @param task       the task the request's container token claims, never verified; null when it had none that parses
 * @param content    what the rule's content checks found (counts, never values); null when no content check ran
 */
public record AuditRecord(long ts, String id, String listener, String client, String method,
                          String scheme, String host, int port, String path, String decision, String rule,
                          String reason, int status, long reqBytes, long respBytes, String reqSha256,
                          long durationMs, String upstream, String policy, String error, String target,
                          Tunnel tunnel, long reqBytesSent, TaskClaims task, Content content) {

    /**
     * What a tunnel record adds.
     *
     * @param sni         the server name of the client's TLS ClientHello; null when it sent none (or no TLS)
     * @param closeReason how the tunnel ended: client_closed, upstream_closed, idle_timeout, shutdown, or the
     *                    check that closed it (sni_mismatch, sni_missing, not_tls, ...)
     */
    public record Tunnel(String sni, String closeReason) {
    }

    /**
     * What the content checks found in the request: counts and names of checks, never a value from the request.
     *
     * @param check        the check that refused the request (or would have, in report mode): types, jsonSchema,
     *                     json, protectedData (also for a cumulative limit), decode or opaque; null when all passed
     * @param rowsMatched  distinct protected rows found in the request
     * @param rareValues   distinct rare protected values found in the request
     * @param entropy      bits per byte of the body after decoding, or -1 when not measured (written as null)
     * @param schemaErrors ways the body breaks the rule's JSON Schema
     * @param layers       the encodings taken off, outermost first
     * @param opaque       the body stayed high-entropy after decoding
     */
    public record Content(String check, int rowsMatched, int rareValues, double entropy, int schemaErrors,
                          List<String> layers, boolean opaque) {
        public Content {
            layers = List.copyOf(layers);
        }
    }

    /** A record of a request no content check looked at. */
    public AuditRecord(long ts, String id, String listener, String client, String method,
                       String scheme, String host, int port, String path, String decision, String rule,
                       String reason, int status, long reqBytes, long respBytes, String reqSha256,
                       long durationMs, String upstream, String policy, String error, String target,
                       Tunnel tunnel, long reqBytesSent, TaskClaims task) {
        this(ts, id, listener, client, method, scheme, host, port, path, decision, rule, reason, status, reqBytes,
                respBytes, reqSha256, durationMs, upstream, policy, error, target, tunnel, reqBytesSent, task, null);
    }

    /** A record without a claimed task. */
    public AuditRecord(long ts, String id, String listener, String client, String method,
                       String scheme, String host, int port, String path, String decision, String rule,
                       String reason, int status, long reqBytes, long respBytes, String reqSha256,
                       long durationMs, String upstream, String policy, String error, String target,
                       Tunnel tunnel, long reqBytesSent) {
        this(ts, id, listener, client, method, scheme, host, port, path, decision, rule, reason, status, reqBytes,
                respBytes, reqSha256, durationMs, upstream, policy, error, target, tunnel, reqBytesSent, null);
    }

    /** A record that sent nothing upstream beyond its body ({@code reqBytesSent} = {@code reqBytes}). */
    public AuditRecord(long ts, String id, String listener, String client, String method,
                       String scheme, String host, int port, String path, String decision, String rule,
                       String reason, int status, long reqBytes, long respBytes, String reqSha256,
                       long durationMs, String upstream, String policy, String error, String target,
                       Tunnel tunnel, TaskClaims task) {
        this(ts, id, listener, client, method, scheme, host, port, path, decision, rule, reason, status, reqBytes,
                respBytes, reqSha256, durationMs, upstream, policy, error, target, tunnel, reqBytes, task);
    }

    /** A record that sent nothing upstream beyond its body, without a claimed task. */
    public AuditRecord(long ts, String id, String listener, String client, String method,
                       String scheme, String host, int port, String path, String decision, String rule,
                       String reason, int status, long reqBytes, long respBytes, String reqSha256,
                       long durationMs, String upstream, String policy, String error, String target, Tunnel tunnel) {
        this(ts, id, listener, client, method, scheme, host, port, path, decision, rule, reason, status, reqBytes,
                respBytes, reqSha256, durationMs, upstream, policy, error, target, tunnel, reqBytes, null);
    }

    /** A request record (no tunnel facts). */
    public AuditRecord(long ts, String id, String listener, String client, String method,
                       String scheme, String host, int port, String path, String decision, String rule,
                       String reason, int status, long reqBytes, long respBytes, String reqSha256,
                       long durationMs, String upstream, String policy, String error, String target) {
        this(ts, id, listener, client, method, scheme, host, port, path, decision, rule, reason, status, reqBytes,
                respBytes, reqSha256, durationMs, upstream, policy, error, target, null, null);
    }

    /** A record without the request target (so without a query to hash). */
    public AuditRecord(long ts, String id, String listener, String client, String method,
                       String scheme, String host, int port, String path, String decision, String rule,
                       String reason, int status, long reqBytes, long respBytes, String reqSha256,
                       long durationMs, String upstream, String policy, String error) {
        this(ts, id, listener, client, method, scheme, host, port, path, decision, rule, reason, status, reqBytes,
                respBytes, reqSha256, durationMs, upstream, policy, error, null, null, null);
    }

    /** The target, whose query may carry credentials, never shows in logs or test output. */
    @Override
    public String toString() {
        return "AuditRecord[id=" + id + ", method=" + method + ", path=" + path + ", decision=" + decision
                + ", status=" + status + "]";
    }
}
