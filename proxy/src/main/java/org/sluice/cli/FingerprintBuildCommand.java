package org.sluice.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.sluice.policy.fingerprint.CsvFormatException;
import org.sluice.policy.fingerprint.CsvReader;
import org.sluice.policy.fingerprint.FingerprintIndex;
import org.sluice.policy.fingerprint.FingerprintIndexBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice fingerprint build --csv FILE [--columns a,b] --out FILE.sfp}: the index of a CSV file. */
@Command(
        name = "build",
        description = {
            "Write a salted, non-reversible fingerprint index (.sfp) of a CSV file's rare values and row pairs.",
            "",
            "The CSV is RFC 4180 in UTF-8 with a header row. Cells are normalised (Unicode NFKC, lower case, trimmed; "
                    + "1.50 = 1.5 = 1.5e0) and empty cells skipped. The index holds no cell, only 32-bit salted "
                    + "fingerprints; see docs/content-checks.md for what that does and does not hide.",
            "Exits 0, or 2 when the CSV cannot be read or is not strict CSV (nothing is written then)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok: the index is written",
            "2:usage or input error: the CSV cannot be read or is not strict CSV; nothing is written"})
final class FingerprintBuildCommand implements Callable<Integer> {

    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "the protected data, with a header")
    private Path csv;

    @Option(names = "--columns", split = ",", paramLabel = "COLUMN",
            description = "only these columns (by header name); default: all")
    private List<String> columns;

    @Option(names = "--out", required = true, paramLabel = "FILE.sfp", description = "the index to write (replaced)")
    private Path out;

    @Option(names = "--rare-rows", paramLabel = "N", defaultValue = "" + FingerprintIndexBuilder.DEFAULT_RARE_ROWS,
            description = "a value in at most N rows is rare (default: ${DEFAULT-VALUE})")
    private int rareRows;

    @Option(names = "--k", paramLabel = "K", defaultValue = "" + FingerprintIndexBuilder.DEFAULT_K,
            description = "cells of one row that must appear together to count the row, 2 to 255 "
                    + "(stored for the content check; default: ${DEFAULT-VALUE})")
    private int k;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (k < 2 || k > 255 || rareRows < 0) {
            return fail(err, "--k is between 2 and 255 and --rare-rows is not negative");
        }
        if (Files.exists(out) && Files.exists(csv) && sameFile()) {
            return fail(err, "--out is the CSV file itself: choose another --out");
        }
        FingerprintIndex index;
        CsvReader reader = null;
        try (BufferedReader text = Files.newBufferedReader(csv)) {
            reader = new CsvReader(text);
            int[] selected = select(reader.header());
            List<String> names = new ArrayList<>();
            for (int column : selected) {
                names.add(reader.header().get(column));
            }
            FingerprintIndexBuilder builder = FingerprintIndexBuilder.forColumns(names).k(k).rareRows(rareRows);
            for (List<String> row = reader.next(); row != null; row = reader.next()) {
                List<String> cells = new ArrayList<>(selected.length);
                for (int column : selected) {
                    cells.add(row.get(column));
                }
                builder.addRow(cells);
            }
            index = builder.build();
        } catch (CsvFormatException e) {
            return fail(err, csv + ":" + e.line() + ": " + e.getMessage());
        } catch (UnknownColumnException e) {
            return fail(err, csv + ": " + e.getMessage());
        } catch (CharacterCodingException e) {
            return fail(err, csv + ":" + (reader == null ? 1 : reader.line()) + ": not UTF-8 text: save the CSV "
                    + "as UTF-8");
        } catch (IOException e) {
            return fail(err, "cannot read " + csv + ": " + IoMessages.reason(e));
        }
        byte[] file = index.toBytes();
        try {
            write(file);
        } catch (IOException e) {
            return fail(err, "cannot write " + out + ": " + IoMessages.reason(e));
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(String.format(Locale.ROOT, "wrote %s: %d rows, %d rare values, %d row pairs (pair columns: "
                + "%s), %d bytes (%.1f per row)", out, index.rows(), index.rareValues(), index.rowPairs(),
                index.pairColumns().isEmpty() ? "none" : String.join(", ", index.pairColumns()), file.length,
                index.rows() == 0 ? 0.0 : file.length / (double) index.rows()));
        stdout.flush();
        return SluiceCli.OK;
    }

    private boolean sameFile() {
        try {
            return Files.isSameFile(out, csv);
        } catch (IOException e) {
            return false;
        }
    }

    /** The header positions to index, in header order; every name must exist once. */
    private int[] select(List<String> header) throws UnknownColumnException {
        for (int i = 0; i < header.size(); i++) {
            if (header.indexOf(header.get(i)) != i && (columns == null || columns.contains(header.get(i)))) {
                throw new UnknownColumnException("the header names column \"" + header.get(i) + "\" twice: "
                        + "rename one (or leave both out with --columns)");
            }
        }
        if (columns == null) {
            return IntStream.range(0, header.size()).toArray();
        }
        for (String column : columns) {
            if (!header.contains(column)) {
                throw new UnknownColumnException("no column \"" + column + "\" in the header (it has: "
                        + String.join(", ", header) + ")");
            }
        }
        return IntStream.range(0, header.size())
                .filter(i -> columns.contains(header.get(i))).toArray();
    }

    /** Through a temporary file beside it, so a failed build never leaves half an index under the name. */
    private void write(byte[] file) throws IOException {
        Path target = out.toAbsolutePath();
        Path temporary = Files.createTempFile(target.getParent(), ".sluice-fingerprint", ".tmp");
        try {
            Files.write(temporary, file);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private int fail(PrintWriter err, String message) {
        err.println("sluice fingerprint build: " + message);
        err.flush();
        return SluiceCli.USAGE_OR_CONFIG_ERROR;
    }

    /** A --columns name the header lacks, or a header name used twice. */
    private static final class UnknownColumnException extends Exception {

        private static final long serialVersionUID = 1L;

        UnknownColumnException(String message) {
            super(message);
        }
    }
}
