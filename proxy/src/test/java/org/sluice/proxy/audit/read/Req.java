package org.sluice.proxy.audit.read;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Test helper: one request record's fields with plausible defaults (an allowed GET that the central server
 * answered 200), changed by chained calls. {@link ChainedLog#request(Req)} writes it.
 */
public final class Req {

    private static final AtomicLong IDS = new AtomicLong();
    public static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    String ts = "2026-11-23T09:15:02.123Z";
    String id = String.format("%024x", IDS.incrementAndGet());
    String listener = "gateway";
    String client = "172.18.0.5";
    String method = "GET";
    String scheme = "https";
    String host = "central.example.org";
    long port = 443;
    String path = "/api/task/1";
    String decision = "allow";
    String rule = "central-api";
    String reason = "allowed by rule 'central-api'";
    long status = 200;
    long reqBytes;
    long respBytes = 10;
    String reqSha256 = EMPTY_SHA256;
    long durationMs = 5;
    String upstream = "203.0.113.10:443";
    String policy = "ab".repeat(32);
    String error;
    String querySha256;
    String job;
    /** The claimed task id; null writes "task":null. */
    String task;
    /** A content check ran: the content object is written (else no content field, as in older lines). */
    boolean content;
    String contentCheck;
    long rowsMatched;

    public static Req get(String path) {
        Req r = new Req();
        r.path = path;
        return r;
    }

    public static Req post(String path, long bodyBytes) {
        Req r = get(path);
        r.method = "POST";
        r.reqBytes = bodyBytes;
        r.reqSha256 = "1c".repeat(32);
        return r;
    }

    /** Denied by the policy: 403 from Sluice, nothing forwarded. */
    public Req denied(String why) {
        decision = "deny";
        rule = null;
        reason = why;
        status = 403;
        error = "denied";
        upstream = null;
        reqSha256 = null;
        respBytes = 120;
        return this;
    }

    /** Allowed by the rules, refused by Sluice itself (a limit): nothing forwarded. */
    public Req refused(int status, String error, String why) {
        this.status = status;
        this.error = error;
        this.reason = why;
        upstream = null;
        reqSha256 = null;
        respBytes = 130;
        return this;
    }

    /** Would have been denied; forwarded because of mode: report. */
    public Req report(String why) {
        decision = "report";
        rule = null;
        reason = why;
        return this;
    }

    /** Allowed by the rules, refused by a content check (403 content_refused) that found {@code rows} rows. */
    public Req contentRefused(String check, long rows, String why) {
        refused(403, "content_refused", why);
        content = true;
        contentCheck = check;
        rowsMatched = rows;
        return this;
    }

    /** Forwarded in report mode although content check {@code check} would have refused it. */
    public Req contentReported(String check, String why) {
        decision = "report";
        reason = "would be refused: " + why;
        content = true;
        contentCheck = check;
        return this;
    }

    public Req at(String ts) {
        this.ts = ts;
        return this;
    }

    public Req job(String job) {
        this.job = job;
        return this;
    }

    /** Attributed to the claimed task id (the other claims are fixed: node 3, organization 2, collaboration 1). */
    public Req task(String taskId) {
        this.task = taskId;
        return this;
    }

    public Req client(String client) {
        this.client = client;
        return this;
    }

    public Req host(String host, long port) {
        this.host = host;
        this.port = port;
        return this;
    }

    public Req status(long status) {
        this.status = status;
        return this;
    }

    public Req respBytes(long respBytes) {
        this.respBytes = respBytes;
        return this;
    }

    public Req reqBytes(long reqBytes) {
        this.reqBytes = reqBytes;
        return this;
    }

    public Req rule(String rule) {
        this.rule = rule;
        return this;
    }

    public Req reason(String reason) {
        this.reason = reason;
        return this;
    }

    public Req error(String error) {
        this.error = error;
        return this;
    }

    /** The request had a query string: its SHA-256, never the query itself. */
    public Req query(String sha256) {
        this.querySha256 = sha256;
        return this;
    }
}
