package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.fingerprint.CellNormalizer;
import org.sluice.policy.fingerprint.FingerprintIndex;

class FingerprintCommandTest {

    @TempDir
    Path folder;

    /** 60 patients: unique names and ids, 10 towns (6 rows each), 15 birth years (4 each), a secret column. */
    private Path patients() throws Exception {
        StringBuilder csv = new StringBuilder("id,name,town,born,secret\r\n");
        for (int i = 0; i < 60; i++) {
            csv.append(1000 + i).append(",\"Patient ").append(i).append(", Jr.\",Town ").append(i % 10).append(',')
                    .append(1960 + i % 15).append(".0,never-leave-").append(i).append("\r\n");
        }
        return Files.writeString(folder.resolve("patients.csv"), csv);
    }

    private static boolean rare(FingerprintIndex index, String raw) {
        return index.isRare(index.valueHash(CellNormalizer.normalize(raw)));
    }

    @Test
    void buildWritesAnIndexOfTheChosenColumnsThatHoldsNoCellAndStatsDescribesIt() throws Exception {
        Path out = folder.resolve("patients.sfp");

        CliResult build = CliResult.execute("fingerprint", "build", "--csv", patients().toString(),
                "--columns", "id,name,town,born", "--out", out.toString());

        assertThat(build.exitCode()).as(build.err()).isZero();
        assertThat(build.err()).isEmpty();
        assertThat(build.out()).startsWith("wrote " + out + ": 60 rows, 120 rare values, 30 row pairs "
                + "(pair columns: town, born)");
        byte[] file = Files.readAllBytes(out);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
                .as("the salt is in the file: only its owner reads it").isEqualTo("rw-------");
        FingerprintIndex index = FingerprintIndex.fromBytes(file);
        assertThat(index.columns()).containsExactly("id", "name", "town", "born");
        assertThat(rare(index, "1007")).isTrue();
        assertThat(rare(index, "1007.00")).isTrue();
        assertThat(rare(index, "PATIENT 7, JR.")).isTrue();
        assertThat(rare(index, "never-leave-7")).as("column left out").isFalse();
        assertThat(index.isRowPair(index.valueHash("town 7"), index.valueHash(CellNormalizer.normalize("1967"))))
                .isTrue();
        String asText = new String(file, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        assertThat(asText).as("only the column names are in clear").doesNotContain("patient").doesNotContain("town 7")
                .doesNotContain("1007").contains("town").contains("born");

        CliResult stats = CliResult.execute("fingerprint", "stats", out.toString());

        assertThat(stats.exitCode()).as(stats.err()).isZero();
        assertThat(stats.out()).contains("rows:            60\n")
                .contains("columns:         4 (id, name, town, born)\n")
                .contains("pair columns:    town, born\n")
                .contains("k:               2\n")
                .contains("rare:            in at most 3 row(s)\n")
                .contains("distinct values: 145\n")
                .contains("rare values:     120\n")
                .contains("row pairs:       30\n")
                .contains("bytes:           " + file.length + " (")
                .containsPattern("false positives: 1\\.09e-10 per rare-value lookup, 6\\.98e-09 per pair lookup");
    }

    @Test
    void everyBuildHasItsOwnSalt() throws Exception {
        Path csv = patients();
        Path first = folder.resolve("a.sfp");
        Path second = folder.resolve("b.sfp");

        assertThat(CliResult.execute("fingerprint", "build", "--csv", csv.toString(), "--out", first.toString())
                .exitCode()).isZero();
        assertThat(CliResult.execute("fingerprint", "build", "--csv", csv.toString(), "--out", second.toString())
                .exitCode()).isZero();

        FingerprintIndex a = FingerprintIndex.fromBytes(Files.readAllBytes(first));
        FingerprintIndex b = FingerprintIndex.fromBytes(Files.readAllBytes(second));
        assertThat(a.valueHash("1000e0")).isNotEqualTo(b.valueHash("1000e0"));
        assertThat(a.rareValues()).isEqualTo(b.rareValues());
    }

    @Test
    void aRaggedRowIsNamedByFileAndLineAndNothingIsWritten() throws Exception {
        Path csv = Files.writeString(folder.resolve("bad.csv"), "a,b\n1,2\n\"x\ny\",3\n4\n");
        Path out = folder.resolve("bad.sfp");

        CliResult result = CliResult.execute("fingerprint", "build", "--csv", csv.toString(), "--out", out.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice fingerprint build: " + csv + ":5: this row has 1 field(s), "
                + "the header has 2");
        assertThat(out).doesNotExist();
        assertThat(folder).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void anUnterminatedQuoteIsNamedWhereItOpened() throws Exception {
        Path csv = Files.writeString(folder.resolve("open.csv"), "a,b\n1,2\n3,\"open\n5,6\n");

        CliResult result = CliResult.execute("fingerprint", "build", "--csv", csv.toString(),
                "--out", folder.resolve("x.sfp").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice fingerprint build: " + csv + ":3: a quoted field opened on this "
                + "line is never closed");
    }

    @Test
    void unknownColumnsNonUtf8AndMissingFilesAreInputErrors() throws Exception {
        Path csv = patients();
        Path out = folder.resolve("x.sfp");

        CliResult unknown = CliResult.execute("fingerprint", "build", "--csv", csv.toString(), "--columns", "id,age",
                "--out", out.toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("sluice fingerprint build: " + csv + ": no column \"age\" in the header "
                + "(it has: id, name, town, born, secret)\n");

        Path latin1 = Files.write(folder.resolve("latin1.csv"), "name\nJos\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        CliResult notUtf8 = CliResult.execute("fingerprint", "build", "--csv", latin1.toString(), "--out",
                out.toString());
        assertThat(notUtf8.exitCode()).isEqualTo(2);
        assertThat(notUtf8.err()).contains(latin1 + ":").contains("not UTF-8 text");

        CliResult missing = CliResult.execute("fingerprint", "build", "--csv", folder.resolve("nope.csv").toString(),
                "--out", out.toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("sluice fingerprint build: cannot read " + folder.resolve("nope.csv")
                + ": no such file\n");

        CliResult onItself = CliResult.execute("fingerprint", "build", "--csv", csv.toString(), "--out",
                csv.toString());
        assertThat(onItself.exitCode()).isEqualTo(2);
        assertThat(Files.readString(csv)).startsWith("id,name,town,born,secret");
        assertThat(out).doesNotExist();
    }

    @Test
    void statsOnADamagedFileFailsTheCheckAndOnAMissingOneIsAnInputError() throws Exception {
        Path out = folder.resolve("p.sfp");
        assertThat(CliResult.execute("fingerprint", "build", "--csv", patients().toString(), "--out", out.toString())
                .exitCode()).isZero();
        byte[] file = Files.readAllBytes(out);
        Path truncated = Files.write(folder.resolve("short.sfp"), Arrays.copyOf(file, file.length - 10));

        CliResult damaged = CliResult.execute("fingerprint", "stats", truncated.toString());

        assertThat(damaged.exitCode()).isEqualTo(1);
        assertThat(damaged.err()).startsWith("sluice fingerprint stats: " + truncated + ": truncated: the file ends "
                + "inside its pair-value table");
        assertThat(damaged.out()).isEmpty();

        CliResult csvAsIndex = CliResult.execute("fingerprint", "stats", folder.resolve("patients.csv").toString());
        assertThat(csvAsIndex.exitCode()).isEqualTo(1);
        assertThat(csvAsIndex.err()).contains("not a fingerprint index");

        CliResult missing = CliResult.execute("fingerprint", "stats", folder.resolve("nope.sfp").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).endsWith("no such file\n");
    }

    @Test
    void helpStatesEachSubcommandsOwnExitCodes() {
        assertThat(CliResult.execute("fingerprint", "build", "--help").out())
                .contains("2   usage or input error: the CSV cannot be read").doesNotContain("audit verify");
        assertThat(CliResult.execute("fingerprint", "stats", "--help").out())
                .contains("1   the file is truncated, changed after it was written, or not an index");
    }

    @Test
    void optionsOutOfRangeAndAMissingSubcommandAreUsageErrors() throws Exception {
        CliResult badK = CliResult.execute("fingerprint", "build", "--csv", patients().toString(), "--k", "1",
                "--out", folder.resolve("x.sfp").toString());
        assertThat(badK.exitCode()).isEqualTo(2);
        assertThat(badK.err()).startsWith("sluice fingerprint build: --k is between 2 and 255");
        assertThat(CliResult.execute("fingerprint", "build", "--csv", "x.csv").exitCode()).isEqualTo(2);
        CliResult bare = CliResult.execute("fingerprint");
        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).startsWith("sluice fingerprint: missing command (build, stats)");
    }
}
