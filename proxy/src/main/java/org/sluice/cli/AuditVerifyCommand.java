package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sluice.proxy.audit.read.AuditReadException;
import org.sluice.proxy.audit.read.AuditVerifier;
import org.sluice.proxy.audit.read.ChainReport;
import org.sluice.proxy.audit.read.ChainStats;
import org.sluice.proxy.audit.read.Finding;
import org.sluice.proxy.audit.read.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice audit verify FILE... [--key PUBKEY]}: is the audit log complete and unchanged? */
@Command(
        name = "verify",
        description = {
            "Check that audit files are complete and unchanged: the hash chain from line to line and across "
                    + "rotated files and, with --key, the signatures of the checkpoints.",
            "",
            "Give the active file and its rotated files (.jsonl or .jsonl.gz) in any order: they are put in chain "
                    + "order by seq; files of different nodes are checked as separate chains. Prints 'ok: ...' "
                    + "with what was checked, or 'FAILED: FILE:LINE: ...' naming the first bad place and the kind "
                    + "of damage: record changed, records missing, inserted record, out of order, file "
                    + "missing, checkpoint signature invalid, checkpoint signed by another key. An incomplete line "
                    + "left by a crash is a warning ('torn write (crash)'), not damage.",
            "Exits 0 when intact, 1 on damage or when there is nothing to verify, 2 when a file or the key "
                    + "cannot be read."})
final class AuditVerifyCommand implements Callable<Integer> {

    private static final int MAX_JOBS_SHOWN = 10;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "audit files: audit.jsonl and its rotated files, plain or gzip-compressed")
    private List<Path> files;

    @Option(names = "--key", paramLabel = "PUBKEY",
            description = "the node's Ed25519 public key (PEM, -----BEGIN PUBLIC KEY-----); without it, "
                    + "checkpoint signatures are not checked, only their place in the chain")
    private Path keyFile;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AuditVerifier verifier;
        try {
            verifier = keyFile == null ? AuditVerifier.withoutKey() : AuditVerifier.withKey(keyFile);
        } catch (IOException e) {
            // SigningKeys names the file in its own messages; other I/O errors get it here.
            String message = e.getMessage() != null && e.getMessage().startsWith(keyFile + ": ") ? e.getMessage()
                    : keyFile + ": " + IoMessages.reason(e);
            err.println("sluice audit verify: cannot read key " + message);
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        VerifyReport report;
        try {
            report = verifier.verify(files);
        } catch (AuditReadException e) {
            err.println("sluice audit verify: cannot read " + e.file() + ": " + IoMessages.reason(e.getCause()));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        } catch (IOException e) {
            err.println("sluice audit verify: " + IoMessages.describe(e));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        print(report, out);
        out.flush();
        return report.intact() && !report.chains().isEmpty() ? SluiceCli.OK : SluiceCli.CHECK_FAILED;
    }

    private void print(VerifyReport report, PrintWriter out) {
        for (Finding damage : report.damage()) {
            out.println("FAILED: " + damage.message());
        }
        boolean several = report.chains().size() > 1;
        for (ChainReport chain : report.chains()) {
            String indent = "";
            if (several) {
                out.println("node " + chain.node() + " (" + count(chain.files().size(), "file") + "):");
                indent = "  ";
            }
            if (chain.intact()) {
                printIntact(chain, report.keyId(), indent, out);
            } else {
                out.println(indent + "FAILED: " + chain.damage().message());
                ChainStats s = chain.stats();
                out.println(indent + "  checked before it: " + (s.records() == 0 ? "nothing"
                        : records(s) + ", seq " + s.firstSeq() + ".." + s.lastSeq() + ", " + start(s)));
            }
            for (Finding warning : chain.warnings()) {
                out.println(indent + "warning: " + warning.message());
            }
        }
        for (Finding warning : report.warnings()) {
            out.println("warning: " + warning.message());
        }
        for (Path empty : report.emptyFiles()) {
            out.println("note: " + empty + " is empty; nothing to check in it");
        }
        if (report.chains().isEmpty() && report.damage().isEmpty()) {
            out.println("FAILED: no complete audit record in the files given; nothing was verified");
        }
    }

    private void printIntact(ChainReport chain, String keyId, String indent, PrintWriter out) {
        ChainStats s = chain.stats();
        out.println(indent + "ok: the chain is intact: " + records(s) + " in " + count(chain.files().size(), "file")
                + ", seq " + s.firstSeq() + ".." + s.lastSeq());
        out.println(indent + "  time: " + s.earliestTs() + " .. " + s.latestTs());
        out.println(indent + "  node: " + String.join(", ", s.nodes()) + "; jobs: " + jobs(s.jobs()));
        out.println(indent + "  start: " + start(s));
        ChainStats.Checkpoint last = s.lastCheckpoint();
        if (last == null) {
            out.println(indent + "  last checkpoint: none; without a signed checkpoint, records at the end of the "
                    + "log could be deleted or rewritten undetectably (here any of seq " + s.firstSeq() + ".."
                    + s.lastSeq() + "); have the node sign checkpoints and copy them elsewhere");
            return;
        }
        String checked = keyId != null
                ? "verified with " + keyFile + " (" + count(s.signaturesChecked(), "signature") + " valid)"
                : "not verified: no --key (pass the node's public key to check "
                        + count(s.checkpoints(), "signature") + ")";
        out.println(indent + "  last checkpoint: seq " + last.seq() + " at " + last.ts() + ", keyId " + last.keyId()
                + ", " + checked);
        if (s.afterCheckpoint() > 0) {
            out.println(indent + "  after it: " + count(s.afterCheckpoint(), "record") + " (seq " + (last.seq() + 1)
                    + ".." + s.lastSeq() + ") not covered by a checkpoint: they could be deleted or rewritten "
                    + "undetectably");
        }
    }

    private static String start(ChainStats s) {
        return s.fromGenesis()
                ? "the genesis of node " + s.nodes().get(0) + " (seq 1): nothing before it can be missing"
                : "continues from seq " + (s.firstSeq() - 1) + " in a file not given; add it to check the chain "
                        + "from its start";
    }

    private static String records(ChainStats s) {
        List<String> parts = new ArrayList<>();
        parts.add(count(s.requests(), "request"));
        parts.add(count(s.checkpoints(), "checkpoint"));
        if (s.others() > 0) {
            parts.add(s.others() + " of other types");
        }
        return count(s.records(), "record") + " (" + String.join(", ", parts) + ")";
    }

    private static String jobs(List<String> jobs) {
        List<String> shown = new ArrayList<>();
        for (String job : jobs.subList(0, Math.min(jobs.size(), MAX_JOBS_SHOWN))) {
            shown.add(job == null ? "(none)" : job);
        }
        if (jobs.size() > MAX_JOBS_SHOWN) {
            shown.add("and " + (jobs.size() - MAX_JOBS_SHOWN) + " more");
        }
        return String.join(", ", shown);
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
