package org.sluice.proxy.audit.read;

import java.util.regex.Pattern;

/**
 * One audit line as one line for people ({@code audit tail}), e.g.
 * {@code 2026-11-23 13:04:05.123  deny   403  GET  central.example.org/admin/export  (no rule allows GET on this
 * path)  job=j1}. Times are UTC. Control and direction-changing characters in values are shown escaped, so a
 * crafted path cannot move the cursor or recolour the terminal.
 */
public final class TailFormat {

    private static final Pattern RFC3339_UTC = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");

    private TailFormat() {
    }

    public static String line(AuditEntry e) {
        StringBuilder out = new StringBuilder(160).append(time(e.ts())).append("  ");
        if (e.isCheckpoint()) {
            out.append("checkpoint  seq ").append(e.has("seq") ? e.number("seq", 0) : "?")
                    .append(", keyId ").append(safe(e.text("keyId")));
        } else if (!e.isRequest()) {
            out.append(safe(e.type()));
        } else {
            String decision = e.text("decision");
            out.append(String.format("%-6s %3s  ", safe(decision), e.has("status") ? e.number("status", 0) : "-"))
                    .append(safe(e.text("method"))).append("  ")
                    .append(destination(e)).append("  ")
                    .append(detail(e, decision));
        }
        String job = e.job();
        if (job != null) {
            out.append("  job=").append(safe(job));
        }
        return out.toString();
    }

    /** 2026-11-23T13:04:05.123Z is shown as 2026-11-23 13:04:05.123; anything else as written. */
    public static String time(String ts) {
        if (ts != null && RFC3339_UTC.matcher(ts).matches()) {
            return ts.substring(0, 10) + ' ' + ts.substring(11, ts.length() - 1);
        }
        return safe(ts);
    }

    /** host[:port]/path; the port only when it is not the scheme's default. */
    private static String destination(AuditEntry e) {
        String scheme = e.text("scheme");
        long port = e.number("port", -1);
        boolean defaultPort = port < 0 || "https".equals(scheme) && port == 443 || "http".equals(scheme) && port == 80;
        return safe(e.text("host")) + (defaultPort ? "" : ":" + port) + safe(e.text("path"));
    }

    private static String detail(AuditEntry e, String decision) {
        String error = e.text("error");
        String reason = "(" + safe(e.text("reason")) + ")";
        if ("deny".equals(decision) || "report".equals(decision) && error == null) {
            return reason;
        }
        if (error != null) {
            return safe(error) + " " + reason;
        }
        return "(rule " + safe(e.text("rule")) + ", " + ByteCounts.human(e.number("reqBytes", 0)) + " out, "
                + ByteCounts.human(e.number("respBytes", 0)) + " in)";
    }

    /** The value with control and bidirectional-override characters escaped as \\uXXXX; "-" for null. */
    public static String safe(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean unsafe = Character.isISOControl(c) || c >= '\u202a' && c <= '\u202e'
                    || c >= '\u2066' && c <= '\u2069' || c == '\u200e' || c == '\u200f';
            if (unsafe && out == null) {
                out = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (unsafe) {
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? value : out.toString();
    }
}
