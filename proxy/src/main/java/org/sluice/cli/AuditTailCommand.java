package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.sluice.proxy.audit.read.AuditEntry;
import org.sluice.proxy.audit.read.AuditReadException;
import org.sluice.proxy.audit.read.FileFollower;
import org.sluice.proxy.audit.read.LastLines;
import org.sluice.proxy.audit.read.RawLine;
import org.sluice.proxy.audit.read.TailFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice audit tail [-f] [-n N] FILE}: the last requests, one readable line each, and with -f the next. */
@Command(
        name = "tail",
        description = {
            "Show the last requests of an audit file, one readable line each.",
            "",
            "For example:",
            "  2026-11-23 13:04:05.123  deny   403  GET  central.example.org/admin/export  (no rule allows GET on "
                    + "this path)  job=j1",
            "Times are UTC. With -f, keep showing requests as they are written, across rotations, until "
                    + "interrupted (Ctrl-C).",
            "Exits 0, or 2 when the file cannot be read."})
final class AuditTailCommand implements Callable<Integer> {

    @Option(names = {"-f", "--follow"}, description = "keep reading as the file grows; on rotation, go on with the "
            + "new file")
    private boolean follow;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "20",
            description = "how many of the last lines to show first (default: ${DEFAULT-VALUE})")
    private int lines;

    @Parameters(paramLabel = "FILE", description = "an audit file, usually the active audit.jsonl (plain or gzip "
            + "without -f)")
    private Path file;

    @Spec
    private CommandSpec spec;

    /** Tests end a follow with this; a person ends it with Ctrl-C. */
    BooleanSupplier stopFollowing = () -> false;
    /** How often -f looks at the file's size. */
    Duration pollInterval = Duration.ofMillis(250);

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (lines < 0) {
            err.println("sluice audit tail: -n must be 0 or more, not " + lines);
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        try {
            if (follow && LastLines.isGzip(file)) {
                err.println("sluice audit tail: cannot follow " + file + ": it is compressed, and so no longer "
                        + "written to; follow the active file, or leave out -f");
                err.flush();
                return SluiceCli.USAGE_OR_CONFIG_ERROR;
            }
            LastLines last = LastLines.of(file, lines);
            for (RawLine line : last.lines()) {
                show(line, out, err);
            }
            out.flush();
            if (!follow) {
                if (last.incomplete() > 0) {
                    err.println("sluice audit tail: warning: " + file + " ends with " + last.incomplete()
                            + " bytes without a newline: a line being written, or torn by a crash");
                }
                err.flush();
                return SluiceCli.OK;
            }
            follow(last.end(), out, err);
            return SluiceCli.OK;
        } catch (AuditReadException e) {
            err.println("sluice audit tail: cannot read " + e.file() + ": " + IoMessages.reason(e.getCause()));
        } catch (IOException e) {
            err.println("sluice audit tail: cannot read " + file + ": " + IoMessages.reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SluiceCli.OK;
        }
        err.flush();
        return SluiceCli.USAGE_OR_CONFIG_ERROR;
    }

    private void follow(long from, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        FileFollower.Listener listener = new FileFollower.Listener() {
            @Override
            public void line(RawLine line) {
                show(line, out, err);
            }

            @Override
            public void restarted(String why) {
                err.println("sluice audit tail: " + why);
            }

            @Override
            public void incomplete(long bytes) {
                err.println("sluice audit tail: warning: the replaced file ended with " + bytes
                        + " bytes without a newline (torn by a crash?)");
            }
        };
        try (FileFollower follower = new FileFollower(file, from, listener)) {
            while (!stopFollowing.getAsBoolean()) {
                follower.poll();
                out.flush();
                err.flush();
                Thread.sleep(pollInterval.toMillis());
            }
        }
    }

    private static void show(RawLine line, PrintWriter out, PrintWriter err) {
        AuditEntry entry = AuditEntry.parse(line);
        if (entry == null) {
            err.println("sluice audit tail: warning: skipped " + line.length() + " bytes that are not a complete "
                    + "audit line (a torn write?)");
            return;
        }
        out.println(TailFormat.line(entry));
    }
}
