package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sluice.proxy.audit.read.AuditEntry;
import org.sluice.proxy.audit.read.AuditFileReader;
import org.sluice.proxy.audit.read.AuditFiles;
import org.sluice.proxy.audit.read.AuditReadException;
import org.sluice.proxy.audit.read.AuditSummary;
import org.sluice.proxy.audit.read.RawLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice audit summary FILE... [--by ...] [--format ...]}: what went out, per job, client, host, rule, day or
 * task.
 */
@Command(
        name = "summary",
        description = {
            "Count requests and bytes per job, client, host, rule, day or task, and list the most denied "
                    + "destinations.",
            "",
            "Columns: requests (all), allowed (decision allow, status below 400), denied (decision deny), refused "
                    + "(allowed by the rules but refused by Sluice: a size limit, a bad request, a budget, the audit "
                    + "log unavailable), report (decision report: would have been denied, forwarded in mode: "
                    + "report), bytes out (request bodies of forwarded requests), bytes in (response bodies). A "
                    + "request can be in none of allowed, denied and refused (e.g. the central server answered "
                    + "404). Checkpoint lines are skipped; incomplete lines are skipped with a warning on stderr.",
            "Exits 0, or 2 when a file cannot be read."})
final class AuditSummaryCommand implements Callable<Integer> {

    private static final int MAX_WARNINGS = 10;
    private static final int TOP_DENIED = 10;

    /** Lower case, as typed on the command line. */
    enum By { job, client, host, rule, day, task }

    /** Lower case, as typed on the command line. */
    enum Format { table, json, csv }

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "audit files, plain or gzip-compressed, in any order")
    private List<Path> files;

    @Option(names = "--by", paramLabel = "job|client|host|rule|day|task", defaultValue = "job",
            description = "what to group by (default: ${DEFAULT-VALUE}); day is the UTC date of ts; task is the task "
                    + "id the request's container token claims (not verified)")
    private By by;

    @Option(names = "--format", paramLabel = "table|json|csv", defaultValue = "table",
            description = "table (for people, at most 100 columns wide), json or csv (exact numbers; csv has the "
                    + "groups only) (default: ${DEFAULT-VALUE})")
    private Format format;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AuditSummary summary = new AuditSummary(AuditSummary.GroupBy.valueOf(by.name().toUpperCase(Locale.ROOT)));
        long skipped = 0;
        try {
            for (Path file : files) {
                skipped += read(file, summary, err, skipped);
            }
        } catch (AuditReadException e) {
            err.println("sluice audit summary: cannot read " + e.file() + ": " + IoMessages.reason(e.getCause()));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        if (skipped > MAX_WARNINGS) {
            err.println("sluice audit summary: warning: skipped " + (skipped - MAX_WARNINGS) + " more lines that are "
                    + "not complete audit lines");
        }
        err.flush();
        switch (format) {
            case table -> AuditSummaryOutput.table(summary, files.size(), TOP_DENIED, out);
            case json -> AuditSummaryOutput.json(summary, TOP_DENIED, skipped, out);
            case csv -> AuditSummaryOutput.csv(summary, out);
            default -> throw new IllegalStateException("unknown format " + format);
        }
        out.flush();
        return SluiceCli.OK;
    }

    /** Adds file's records to summary; returns how many lines were skipped (warned about up to a limit). */
    private static long read(Path file, AuditSummary summary, PrintWriter err, long skippedBefore)
            throws AuditReadException {
        long skipped = 0;
        try (AuditFileReader reader = AuditFiles.open(file)) {
            for (RawLine line = AuditFiles.next(reader, file); line != null; line = AuditFiles.next(reader, file)) {
                AuditEntry entry = AuditEntry.parse(line);
                if (entry != null) {
                    summary.add(entry);
                    continue;
                }
                skipped++;
                if (skippedBefore + skipped <= MAX_WARNINGS) {
                    err.println("sluice audit summary: warning: skipped " + file + ":" + line.number() + ": "
                            + line.length() + " bytes that are not a complete audit line ("
                            + (line.terminated() ? "a torn write or damage; audit verify tells which"
                                    : "the end of the file: a torn write, or a line still being written") + ")");
                }
            }
        } catch (AuditReadException e) {
            throw e;
        } catch (IOException closing) {
            throw new AuditReadException(file, closing);
        }
        return skipped;
    }
}
