package org.sluice.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sluice.proxy.audit.read.AuditSummary;
import org.sluice.proxy.audit.read.AuditSummary.Destination;
import org.sluice.proxy.audit.read.AuditSummary.Group;
import org.sluice.proxy.audit.read.ByteCounts;
import org.sluice.proxy.audit.read.TailFormat;

/** The three shapes of {@code audit summary}: a table for people, JSON and CSV for tools. */
final class AuditSummaryOutput {

    /** The table fits a 100-column terminal; longer values end in "...". */
    static final int TABLE_WIDTH = 100;

    private static final String[] COLUMNS = {"requests", "allowed", "denied", "refused", "report", "bytes out",
        "bytes in"};
    private static final String[] FIELDS = {"requests", "allowed", "denied", "refused", "report", "bytesOut",
        "bytesIn"};
    private static final String NONE = "(none)";
    private static final String ELLIPSIS = "...";
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private AuditSummaryOutput() {
    }

    static void table(AuditSummary summary, int files, int top, PrintWriter out) {
        Group total = summary.total();
        String label = summary.by().label();
        out.println(String.format(Locale.ROOT, "%,d requests in %d file%s%s, by %s", total.requests(), files,
                files == 1 ? "" : "s", summary.earliestTs() == null ? ""
                        : ", " + TailFormat.time(summary.earliestTs()) + " .. "
                                + TailFormat.time(summary.latestTs()) + " UTC", label));
        List<Group> groups = summary.groups();
        List<String[]> rows = new ArrayList<>();
        for (Group group : groups) {
            rows.add(cells(group.key() == null ? NONE : group.key(), group));
        }
        if (groups.size() > 1) {
            rows.add(cells("total", total));
        }
        int[] widths = new int[COLUMNS.length];
        int numbers = 0;
        for (int i = 0; i < COLUMNS.length; i++) {
            widths[i] = COLUMNS[i].length();
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i + 1].length());
            }
            numbers += 2 + widths[i];
        }
        int keyWidth = label.length();
        for (String[] row : rows) {
            keyWidth = Math.max(keyWidth, row[0].length());
        }
        keyWidth = Math.max(label.length(), Math.min(keyWidth, TABLE_WIDTH - numbers));
        StringBuilder head = new StringBuilder(pad(label, keyWidth));
        for (int i = 0; i < COLUMNS.length; i++) {
            head.append("  ").append(padLeft(COLUMNS[i], widths[i]));
        }
        out.println(head);
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(pad(fit(row[0], keyWidth), keyWidth));
            for (int i = 0; i < COLUMNS.length; i++) {
                line.append("  ").append(padLeft(row[i + 1], widths[i]));
            }
            out.println(line);
        }
        out.println();
        if (!summary.contentChecks().isEmpty()) {
            out.println("content checks that refused requests (or would have, in report mode):");
            int width = "requests".length();
            for (long n : summary.contentChecks().values()) {
                width = Math.max(width, number(n).length());
            }
            out.println("  " + padLeft("requests", width) + "  check");
            for (Map.Entry<String, Long> check : summary.contentChecks().entrySet()) {
                out.println("  " + padLeft(number(check.getValue()), width) + "  "
                        + fit(TailFormat.safe(check.getKey()), TABLE_WIDTH - 4 - width));
            }
            out.println();
        }
        List<Destination> denied = summary.topDenied(top);
        if (denied.isEmpty()) {
            out.println("no denied requests");
            return;
        }
        out.println("top denied destinations (host + path):");
        int countWidth = "denied".length();
        for (Destination d : denied) {
            countWidth = Math.max(countWidth, number(d.requests()).length());
        }
        out.println("  " + padLeft("denied", countWidth) + "  destination");
        for (Destination d : denied) {
            out.println("  " + padLeft(number(d.requests()), countWidth) + "  "
                    + fit(TailFormat.safe(d.host()) + TailFormat.safe(d.path()), TABLE_WIDTH - 4 - countWidth));
        }
    }

    static void json(AuditSummary summary, int top, long skippedLines, PrintWriter out) {
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("by", summary.by().label());
            json.writeStringField("from", summary.earliestTs());
            json.writeStringField("to", summary.latestTs());
            json.writeFieldName("total");
            numbers(json, summary.total(), null);
            json.writeArrayFieldStart("groups");
            for (Group group : summary.groups()) {
                numbers(json, group, summary.by().label());
            }
            json.writeEndArray();
            json.writeArrayFieldStart("topDenied");
            for (Destination d : summary.topDenied(top)) {
                json.writeStartObject();
                json.writeStringField("host", d.host());
                json.writeStringField("path", d.path());
                json.writeNumberField("requests", d.requests());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeObjectFieldStart("contentChecks");
            for (Map.Entry<String, Long> check : summary.contentChecks().entrySet()) {
                json.writeNumberField(check.getKey(), check.getValue());
            }
            json.writeEndObject();
            json.writeNumberField("skippedLines", skippedLines);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a PrintWriter does not throw", e);
        }
        out.println();
    }

    static void csv(AuditSummary summary, PrintWriter out) {
        out.println(summary.by().label() + "," + String.join(",", FIELDS));
        for (Group group : summary.groups()) {
            long[] n = values(group);
            StringBuilder line = new StringBuilder(csvField(group.key()));
            for (long value : n) {
                line.append(',').append(value);
            }
            out.println(line);
        }
    }

    private static void numbers(JsonGenerator json, Group group, String keyField) throws IOException {
        json.writeStartObject();
        if (keyField != null) {
            json.writeStringField(keyField, group.key());
        }
        long[] n = values(group);
        for (int i = 0; i < FIELDS.length; i++) {
            json.writeNumberField(FIELDS[i], n[i]);
        }
        json.writeEndObject();
    }

    private static long[] values(Group g) {
        return new long[] {g.requests(), g.allowed(), g.denied(), g.refused(), g.report(), g.bytesOut(),
            g.bytesIn()};
    }

    private static String[] cells(String key, Group g) {
        return new String[] {TailFormat.safe(key), number(g.requests()), number(g.allowed()), number(g.denied()),
            number(g.refused()), number(g.report()), ByteCounts.human(g.bytesOut()), ByteCounts.human(g.bytesIn())};
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** RFC 4180: quoted when it holds a comma, quote or line break; empty for null. */
    private static String csvField(String value) {
        if (value == null) {
            return "";
        }
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /** value cut to width characters, ending in "..." when it was longer (ASCII: stdout may not be UTF-8). */
    static String fit(String value, int width) {
        if (value.length() <= width) {
            return value;
        }
        int keep = Math.max(0, width - ELLIPSIS.length());
        if (keep > 0 && Character.isHighSurrogate(value.charAt(keep - 1))) {
            keep--;
        }
        return value.substring(0, keep) + ELLIPSIS;
    }

    private static String pad(String value, int width) {
        return value.length() >= width ? value : value + " ".repeat(width - value.length());
    }

    private static String padLeft(String value, int width) {
        return value.length() >= width ? value : " ".repeat(width - value.length()) + value;
    }
}
