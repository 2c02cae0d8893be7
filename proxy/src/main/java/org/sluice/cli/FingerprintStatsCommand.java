package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sluice.policy.fingerprint.FingerprintFormatException;
import org.sluice.policy.fingerprint.FingerprintIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice fingerprint stats FILE.sfp}: what an index holds and what it costs. */
@Command(
        name = "stats",
        description = {
            "Check a fingerprint index and print its rows, columns, distinct and rare values, row pairs, size per "
                    + "row and the expected false-positive rate of one lookup.",
            "",
            "Exits 0; 1 when the file is truncated, changed or not an index; 2 when it cannot be read."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:the file is truncated, changed after it was written, or not an index",
            "2:usage error, or the file cannot be read"})
final class FingerprintStatsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE.sfp", description = "an index written by sluice fingerprint build")
    private Path file;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        FingerprintIndex index;
        long bytes;
        try {
            byte[] content = Files.readAllBytes(file);
            bytes = content.length;
            index = FingerprintIndex.fromBytes(content);
        } catch (IOException e) {
            err.println("sluice fingerprint stats: cannot read " + file + ": " + IoMessages.reason(e));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        } catch (FingerprintFormatException e) {
            err.println("sluice fingerprint stats: " + file + ": " + e.getMessage());
            err.flush();
            return SluiceCli.CHECK_FAILED;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("file:            " + file);
        out.println("rows:            " + index.rows());
        out.println("columns:         " + index.columns().size() + " (" + String.join(", ", index.columns()) + ")");
        out.println("pair columns:    " + (index.pairColumns().isEmpty() ? "none"
                : String.join(", ", index.pairColumns())));
        out.println("k:               " + index.k());
        out.println("rare:            in at most " + index.rareRows() + " row(s)");
        out.println("distinct values: " + index.distinctValues());
        out.println("rare values:     " + index.rareValues());
        out.println("row pairs:       " + index.rowPairs());
        out.println(String.format(Locale.ROOT, "bytes:           %d (%s per row)", bytes,
                index.rows() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", bytes / (double) index.rows())));
        out.println(String.format(Locale.ROOT, "false positives: %.2e per rare-value lookup, %.2e per pair lookup",
                index.rareFalsePositiveRate(), index.pairFalsePositiveRate()));
        out.flush();
        return SluiceCli.OK;
    }
}
