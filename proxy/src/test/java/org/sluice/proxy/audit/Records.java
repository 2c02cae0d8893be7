package org.sluice.proxy.audit;

import java.time.Instant;

/** Test helper: audit records that differ by id. */
final class Records {

    private Records() {
    }

    static final AuditIdentity IDENTITY = new AuditIdentity("job-7", "node-a");

    /** An encoder as the writer has one, at the start of node-a's chain, not hashing queries. */
    static AuditLineEncoder encoder() {
        return new AuditLineEncoder(IDENTITY, false, ChainPosition.start(IDENTITY.node()));
    }

    static AuditRecord withId(String id) {
        return new AuditRecord(Instant.parse("2026-11-23T09:15:02.123Z").toEpochMilli(), id, "gateway",
                "127.0.0.1:40000", "POST", "https", "central.example.org", 443, "/api/task", "allow", "central-api",
                "rule central-api allows POST on /api/**", 200, 12, 34,
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 7, "127.0.0.1:8443",
                "0f1e2d", null);
    }
}
