package org.sluice.proxy.audit.read;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code audit summary}: request counts and bytes per group (job, client, host, rule, task or day) and the most denied
 * destinations. Checkpoints and other non-request lines are skipped. Not thread-safe.
 */
public final class AuditSummary {

    /** Error codes of requests the rules allowed but Sluice itself refused (a 4xx or 503 it answered). */
    static final Set<String> REFUSALS = Set.of("body_too_large", "url_too_long", "headers_too_large",
            "bad_request", "budget_exceeded", "content_refused", "unavailable");

    /** What to group requests by: the field of the same name, or the UTC day of {@code ts}. */
    public enum GroupBy {
        JOB(e -> e.text("job")),
        CLIENT(e -> e.text("client")),
        HOST(e -> e.text("host")),
        RULE(e -> e.text("rule")),
        /** The claimed (unverified) task id of the vantage6 container token. */
        TASK(e -> e.text("task.id")),
        DAY(e -> {
            String ts = e.ts();
            return ts != null && ts.length() >= 10 && ts.charAt(4) == '-' && ts.charAt(7) == '-'
                    ? ts.substring(0, 10) : null;
        });

        private final Function<AuditEntry, String> key;

        GroupBy(Function<AuditEntry, String> key) {
            this.key = key;
        }

        /** The name used on the command line and as the key's column or field name. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One group's numbers (the whole log's for the total).
     *
     * @param key      the group's value; null when records have none (no job, no rule)
     * @param requests every request record
     * @param allowed  decision allow with a status below 400
     * @param denied   decision deny
     * @param refused  decision allow or report, refused by Sluice itself (a limit, bad request, budget, audit
     *                 log unavailable)
     * @param report   decision report (would have been denied; forwarded because of mode: report)
     * @param bytesOut request body bytes of forwarded requests (allow or report, not refused)
     * @param bytesIn  response body bytes sent to the client
     */
    public record Group(String key, long requests, long allowed, long denied, long refused, long report,
                        long bytesOut, long bytesIn) {
    }

    /** A denied destination and how many requests for it were denied. */
    public record Destination(String host, String path, long requests) {
    }

    private final GroupBy by;
    private final Map<String, Counts> groups = new HashMap<>();
    private final Counts total = new Counts();
    private final Map<Place, Long> denied = new HashMap<>();
    private final TimeRange time = new TimeRange();
    private final Map<String, Long> contentChecks = new TreeMap<>();

    public AuditSummary(GroupBy by) {
        this.by = by;
    }

    public GroupBy by() {
        return by;
    }

    /** Counts a request record; anything else (checkpoints) is ignored. */
    public void add(AuditEntry entry) {
        if (!entry.isRequest()) {
            return;
        }
        groups.computeIfAbsent(by.key.apply(entry), k -> new Counts()).add(entry);
        total.add(entry);
        if ("deny".equals(entry.text("decision"))) {
            denied.merge(new Place(entry.text("host"), entry.text("path")), 1L, Long::sum);
        }
        String check = entry.text("content.check");
        if (check != null) {
            contentChecks.merge(check, 1L, Long::sum);
        }
        time.add(entry.ts());
    }

    /**
     * Requests a content check refused, or would have in report mode, by check ({@code content.check}), in name
     * order; empty when none.
     */
    public Map<String, Long> contentChecks() {
        return Collections.unmodifiableMap(contentChecks);
    }

    /** Days in order; other groups by requests, most first, then by key; the group without a key last. */
    public List<Group> groups() {
        Comparator<Group> byKey = Comparator.comparing(Group::key, Comparator.nullsLast(Comparator.naturalOrder()));
        Comparator<Group> order = by == GroupBy.DAY ? byKey
                : Comparator.comparing(Group::requests, Comparator.reverseOrder()).thenComparing(byKey);
        List<Group> list = new ArrayList<>();
        groups.forEach((key, counts) -> list.add(counts.group(key)));
        list.sort(order);
        return list;
    }

    public Group total() {
        return total.group(null);
    }

    /** The n destinations (host and path) with the most denied requests, most first. */
    public List<Destination> topDenied(int n) {
        return denied.entrySet().stream()
                .map(e -> new Destination(e.getKey().host(), e.getKey().path(), e.getValue()))
                .sorted(Comparator.comparing(Destination::requests, Comparator.reverseOrder())
                        .thenComparing(d -> String.valueOf(d.host()) + d.path()))
                .limit(n)
                .toList();
    }

    /** The earliest ts counted, as written; null when none. */
    public String earliestTs() {
        return time.earliest();
    }

    /** The latest ts counted, as written; null when none. */
    public String latestTs() {
        return time.latest();
    }

    private record Place(String host, String path) {
    }

    private static final class Counts {
        private long requests;
        private long allowed;
        private long denied;
        private long refused;
        private long report;
        private long bytesOut;
        private long bytesIn;

        void add(AuditEntry e) {
            String decision = e.text("decision");
            boolean forwardable = "allow".equals(decision) || "report".equals(decision);
            String error = e.text("error");
            boolean refusedBySluice = forwardable && error != null && REFUSALS.contains(error);
            requests++;
            if ("allow".equals(decision) && e.number("status", 0) < 400) {
                allowed++;
            }
            if ("deny".equals(decision)) {
                denied++;
            }
            if (refusedBySluice) {
                refused++;
            }
            if ("report".equals(decision)) {
                report++;
            }
            if (forwardable && !refusedBySluice) {
                bytesOut += e.number("reqBytes", 0);
            }
            bytesIn += e.number("respBytes", 0);
        }

        Group group(String key) {
            return new Group(key, requests, allowed, denied, refused, report, bytesOut, bytesIn);
        }
    }
}
