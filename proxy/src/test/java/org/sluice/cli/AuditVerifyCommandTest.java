package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.audit.AuditChain;
import org.sluice.proxy.audit.read.ChainedLog;
import org.sluice.proxy.audit.read.Req;

class AuditVerifyCommandTest {

    private static final KeyPair KEY = ChainedLog.newKey();
    private static final KeyPair OTHER_KEY = ChainedLog.newKey();
    private static final String NL = System.lineSeparator();

    @TempDir
    Path folder;

    /** 13 lines of node-a: seq 1-4 requests, 5 checkpoint | 6-9 requests, 10 checkpoint | 11-13 requests. */
    private List<String> lines;
    private Path first;
    private Path second;
    private Path active;
    private Path publicKey;

    @BeforeEach
    void threeFilesOfOneNode() throws IOException {
        ChainedLog log = ChainedLog.genesis("node-a", KEY);
        log.request(Req.get("/api/task/1").job("j1").at("2026-11-23T09:00:00.000Z"));
        log.request(Req.post("/api/results", 24).job("j1").at("2026-11-23T09:00:01.000Z"));
        log.request(Req.get("/admin/export").job("j1").denied("no rule allows GET on this path")
                .at("2026-11-23T09:00:02.000Z"));
        log.request(Req.get("/api/task/2").job("j1").at("2026-11-23T09:00:03.000Z"));
        log.checkpoint("2026-11-23T09:00:04.000Z", "j1");
        log.request(Req.get("/api/task/3").job("j2").at("2026-11-23T10:00:00.000Z"));
        log.request(Req.get("/api/task/4").job("j2").at("2026-11-23T10:00:01.000Z"));
        log.request(Req.get("/api/task/5").job("j2").at("2026-11-23T10:00:02.000Z"));
        log.request(Req.get("/api/task/6").at("2026-11-23T10:00:03.000Z"));
        log.checkpoint("2026-11-23T10:00:04.000Z", null);
        log.request(Req.get("/api/task/7").job("j2").at("2026-11-23T11:00:00.000Z"));
        log.request(Req.get("/api/task/8").job("j2").at("2026-11-23T11:00:01.000Z"));
        log.request(Req.get("/api/task/9").job("j2").at("2026-11-23T11:00:02.000Z"));
        lines = log.lines();
        first = folder.resolve(ChainedLog.rotatedName("20261123T090000Z", 1));
        second = folder.resolve(ChainedLog.rotatedName("20261123T100000Z", 6));
        active = folder.resolve("audit.jsonl");
        write(lines);
        publicKey = ChainedLog.writePublicKey(folder.resolve("node-a.pub"), KEY.getPublic());
    }

    /** Writes the 13 lines (as edited) over the three files: 5, 5 and the rest. */
    private void write(List<String> all) throws IOException {
        ChainedLog.write(first, all.subList(0, 5));
        ChainedLog.write(second, all.subList(5, 10));
        ChainedLog.write(active, all.subList(10, all.size()));
    }

    private CliResult verify(String... extra) {
        List<String> args = new ArrayList<>(List.of("audit", "verify", first.toString(), second.toString(),
                active.toString()));
        args.addAll(List.of(extra));
        return CliResult.execute(args.toArray(String[]::new));
    }

    private static List<String> edited(List<String> lines, int index, String line) {
        List<String> out = new ArrayList<>(lines);
        out.set(index, line);
        return out;
    }

    @Test
    void anIntactLogSaysWhatItCheckedAndWhatItCannotProve() {
        CliResult result = verify("--key", publicKey.toString());

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).isEqualTo(String.join(NL,
                "ok: the chain is intact: 13 records (11 requests, 2 checkpoints) in 3 files, seq 1..13",
                "  time: 2026-11-23T09:00:00.000Z .. 2026-11-23T11:00:02.000Z",
                "  node: node-a; jobs: j1, j2, (none)",
                "  start: the genesis of node node-a (seq 1): nothing before it can be missing",
                "  last checkpoint: seq 10 at 2026-11-23T10:00:04.000Z, keyId " + AuditChain.keyId(KEY.getPublic())
                        + ", verified with " + publicKey + " (2 signatures valid)",
                "  after it: 3 records (seq 11..13) not covered by a checkpoint: they could be deleted or rewritten "
                        + "undetectably",
                ""));
    }

    @Test
    void withoutAKeyTheSignaturesAreNotChecked() throws IOException {
        // A forged signature passes without --key: only the chain position of a checkpoint is checked.
        String forged = ChainedLog.rehash(lines.get(4).replaceFirst("\"sig\":\"[^\"]+\"",
                "\"sig\":\"" + Base64.getEncoder().encodeToString(new byte[64]) + "\""));
        write(ChainedLog.relink(edited(lines, 4, forged), 5));

        CliResult result = verify();

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("  last checkpoint: seq 10 at 2026-11-23T10:00:04.000Z, keyId "
                + AuditChain.keyId(KEY.getPublic()) + ", not verified: no --key (pass the node's public key to "
                + "check 2 signatures)" + NL);
        assertThat(verify("--key", publicKey.toString()).out())
                .startsWith("FAILED: " + first + ":5: checkpoint signature invalid: ");
    }

    @Test
    void withoutCheckpointsItSaysTheEndCouldBeDeleted() throws IOException {
        ChainedLog log = ChainedLog.genesis("node-b", null);
        log.request(Req.get("/api/a"));
        log.request(Req.get("/api/b"));
        ChainedLog.write(active, log.lines());

        CliResult result = CliResult.execute("audit", "verify", active.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("ok: the chain is intact: 2 records (2 requests, 0 checkpoints) in 1 file,"
                        + " seq 1..2" + NL)
                .contains("  node: node-b; jobs: (none)" + NL)
                .endsWith("  last checkpoint: none; without a signed checkpoint, records at the end of the log could "
                        + "be deleted or rewritten undetectably (here any of seq 1..2); have the node sign checkpoints "
                        + "and copy them elsewhere" + NL);
    }

    @Test
    void aLogThatStartsInAFileNotGivenSaysSo() {
        CliResult result = CliResult.execute("audit", "verify", second.toString(), active.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("ok: the chain is intact: 8 records (7 requests, 1 checkpoint) in 2 "
                        + "files, seq 6..13" + NL)
                .contains("  start: continues from seq 5 in a file not given; add it to check the chain from its "
                        + "start" + NL);
    }

    @Test
    void aChangedFieldValueIsARecordChanged() throws IOException {
        write(edited(lines, 2, lines.get(2).replace("\"status\":403", "\"status\":200")));

        CliResult result = verify();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + first + ":3: record changed: its hash does not match its "
                + "content (seq 3): the line was edited after it was written; keep these files as evidence and "
                + "compare them with a backup or an exported copy" + NL
                + "  checked before it: 2 records (2 requests, 0 checkpoints), seq 1..2, the genesis of node "
                + "node-a (seq 1): nothing before it can be missing" + NL);
    }

    @Test
    void aChangeWithItsHashRecomputedIsNamedAtTheChangedLine() throws IOException {
        write(edited(lines, 6, ChainedLog.rehash(lines.get(6).replace("/api/task/4", "/api/task/44"))));

        CliResult result = verify();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + second + ":2: record changed: its hash was recomputed after "
                + "a change, but the next line (" + second + ":3) links to the original hash");
    }

    @Test
    void aRewrittenHistoryIsCaughtOnlyByTheNextSignedCheckpoint() throws IOException {
        List<String> rewritten = ChainedLog.relink(
                edited(lines, 1, ChainedLog.rehash(lines.get(1).replace("\"reqBytes\":24", "\"reqBytes\":2"))), 2);
        write(rewritten);

        CliResult withKey = verify("--key", publicKey.toString());
        CliResult withoutKey = verify();

        assertThat(withKey.exitCode()).isEqualTo(1);
        assertThat(withKey.out()).startsWith("FAILED: " + first + ":5: checkpoint signature invalid: the signature "
                + "of the checkpoint (seq 5) does not verify with " + publicKey + ": the checkpoint was forged or "
                + "changed, or the records before it were changed and re-chained");
        // What the chain alone cannot prove (docs/audit-log.md): a consistent rewrite passes without the key.
        assertThat(withoutKey.exitCode()).isZero();
    }

    @Test
    void aDeletedLineIsNamedWithTheMissingSeq() throws IOException {
        List<String> deleted = new ArrayList<>(lines);
        deleted.remove(6);
        ChainedLog.write(first, deleted.subList(0, 5));
        ChainedLog.write(second, deleted.subList(5, 9));
        ChainedLog.write(active, deleted.subList(9, deleted.size()));

        CliResult result = verify();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + second + ":2: 1 record(s) missing before this line: seq 7 "
                + "absent; they were deleted;");
    }

    @Test
    void deletedLinesAtTheStartOfARotatedFileAreMissingRecordsNotAMissingFile() throws IOException {
        ChainedLog.write(second, lines.subList(7, 10));

        CliResult result = verify();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + second + ":1: 2 record(s) missing before this line: seq 6..7"
                + " absent (the file name says it starts at seq 6); they were deleted;");
    }

    @Test
    void anInsertedLineIsNamed() throws IOException {
        // A forged record: a copy of seq 7 with another path, re-hashed, put after seq 8.
        String forged = ChainedLog.rehash(lines.get(6).replace("/api/task/4", "/api/upload"));
        List<String> inserted = new ArrayList<>(lines);
        inserted.add(8, forged);
        ChainedLog.write(first, inserted.subList(0, 5));
        ChainedLog.write(second, inserted.subList(5, 11));
        ChainedLog.write(active, inserted.subList(11, inserted.size()));

        CliResult result = verify();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + second + ":4: inserted record: seq 7 does not link to the "
                + "line before it (" + second + ":3, seq 8), and " + second + ":5 continues the chain without it;");
    }

    @Test
    void anInsertedLineThatLinksToTheLineBeforeIsStillNamed() throws IOException {
        // The forger links the record to seq 7 and gives it seq 8; the real seq 8 then claims the same place.
        String forged = ChainedLog.withPrev(lines.get(7).replace("/api/task/5", "/api/upload"),
                ChainedLog.hashOf(lines.get(6)));
        List<String> inserted = new ArrayList<>(lines);
        inserted.add(7, forged);
        ChainedLog.write(first, inserted.subList(0, 5));
        ChainedLog.write(second, inserted.subList(5, 11));
        ChainedLog.write(active, inserted.subList(11, inserted.size()));

        CliResult result = verify();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + second + ":3: inserted record: it claims seq 8 like " + second
                + ":4, and the chain continues from " + second + ":4, not from it;");
    }

    @Test
    void swappedLinesAreOutOfOrder() throws IOException {
        List<String> swapped = new ArrayList<>(lines);
        swapped.set(6, lines.get(7));
        swapped.set(7, lines.get(6));
        write(swapped);

        CliResult result = verify();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + second + ":2: out of order: seq 8 comes before seq 7 (at "
                + second + ":3), the record it follows; lines were moved;");
    }

    @Test
    void aMissingMiddleRotatedFileIsNamedWithItsSeqRange() {
        CliResult result = CliResult.execute("audit", "verify", first.toString(), active.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + active + ":1: file missing between " + first + " and "
                + active + ": seq 6..10 absent (the one ends at seq 5, the other starts at seq 11); add the rotated "
                + "file that starts at seq 6, or, if there is none, records were cut from the end of " + first + NL);
    }

    @Test
    void aCorruptCheckpointSignatureIsInvalid() throws IOException {
        String sig = lines.get(9).replaceFirst(".*\"sig\":\"([^\"]+)\".*", "$1");
        byte[] bytes = Base64.getDecoder().decode(sig);
        bytes[10] ^= 1;
        write(edited(lines, 9, lines.get(9).replace(sig, Base64.getEncoder().encodeToString(bytes))));

        CliResult result = verify("--key", publicKey.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + second + ":5: checkpoint signature invalid: the signature of "
                + "the checkpoint (seq 10) does not verify with " + publicKey);
        assertThat(verify().out()).as("without the key, the change still breaks the line's hash")
                .startsWith("FAILED: " + second + ":5: record changed: ");
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsNamedWithBothKeyIds() throws IOException {
        Path otherKey = ChainedLog.writePublicKey(folder.resolve("other.pub"), OTHER_KEY.getPublic());

        CliResult result = verify("--key", otherKey.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + first + ":5: checkpoint signed by another key: the "
                + "checkpoint (seq 5) names keyId " + AuditChain.keyId(KEY.getPublic()) + ", but " + otherKey
                + " is keyId " + AuditChain.keyId(OTHER_KEY.getPublic()) + "; verify with the public key of the "
                + "node that wrote this log, or find out who signed it" + NL);
    }

    @Test
    void aTornLastLineIsAWarningNotDamage() throws IOException {
        String torn = lines.get(12).substring(0, 57);
        Files.writeString(active, lines.get(10) + "\n" + lines.get(11) + "\n" + torn, StandardCharsets.UTF_8);

        CliResult result = verify("--key", publicKey.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("ok: the chain is intact: 12 records (10 requests, 2 checkpoints) in 3 "
                        + "files, seq 1..12" + NL)
                .endsWith("warning: torn write (crash): 57 bytes at " + active + ":3, the end of the log: the writer "
                        + "stopped in the middle of this line; an incomplete line left by a crash, not a sign of "
                        + "tampering" + NL);
    }

    @Test
    void aTornMiddleLineFollowedByTheContinuedChainIsAWarning() throws IOException {
        // Crash while writing seq 12, restart: a newline ends the fragment, the chain goes on from seq 11.
        String torn = lines.get(11).substring(0, 40);
        Files.writeString(active, lines.get(10) + "\n" + torn + "\n" + lines.get(11) + "\n" + lines.get(12) + "\n",
                StandardCharsets.UTF_8);

        CliResult result = verify("--key", publicKey.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("ok: the chain is intact: 13 records")
                .endsWith("warning: torn write (crash): 40 bytes at " + active + ":2, and the chain continues after "
                        + "it; an incomplete line left by a crash, not a sign of tampering" + NL);
    }

    @Test
    void anUnreadableMiddleLineThatBreaksTheChainIsDamage() throws IOException {
        // A record overwritten with garbage: the next line still links to the record that was there.
        write(edited(lines, 11, lines.get(11).substring(0, 40)));

        CliResult result = verify();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAILED: " + active + ":2: unreadable record: 40 bytes that are not a "
                + "complete audit line, and the chain does not continue around them at " + active + ":3");
    }

    @Test
    void compressedRotatedFilesAreRead() throws IOException {
        Path firstGz = ChainedLog.writeGz(folder.resolve(ChainedLog.rotatedName("20261123T090000Z", 1) + ".gz"),
                lines.subList(0, 5));
        Path secondGz = ChainedLog.writeGz(folder.resolve(ChainedLog.rotatedName("20261123T100000Z", 6) + ".gz"),
                lines.subList(5, 10));

        CliResult result = CliResult.execute("audit", "verify", firstGz.toString(), secondGz.toString(),
                active.toString(), "--key", publicKey.toString());

        assertThat(result.exitCode()).as(result.out()).isZero();
        assertThat(result.out()).startsWith("ok: the chain is intact: 13 records (11 requests, 2 checkpoints) in 3 "
                + "files, seq 1..13" + NL);
    }

    @Test
    void aCutCompressedFileCannotBeRead() throws IOException {
        Path gz = ChainedLog.writeGz(folder.resolve(ChainedLog.rotatedName("20261123T090000Z", 1) + ".gz"),
                lines.subList(0, 5));
        byte[] bytes = Files.readAllBytes(gz);
        Files.write(gz, java.util.Arrays.copyOf(bytes, bytes.length - 12));

        CliResult result = CliResult.execute("audit", "verify", gz.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("sluice audit verify: cannot read " + gz + ": the compressed data ends "
                + "early (the .gz file is cut)" + NL);
    }

    @Test
    void theOrderFilesAreGivenInDoesNotMatter() {
        CliResult inOrder = verify("--key", publicKey.toString());
        CliResult reversed = CliResult.execute("audit", "verify", active.toString(), second.toString(),
                first.toString(), "--key", publicKey.toString());
        CliResult twice = CliResult.execute("audit", "verify", second.toString(), active.toString(),
                first.toString(), second.toString(), "--key", publicKey.toString());

        assertThat(reversed.exitCode()).isZero();
        assertThat(reversed.out()).isEqualTo(inOrder.out());
        assertThat(twice.out()).isEqualTo(inOrder.out());
    }

    @Test
    void eachNodeIsItsOwnChain() throws IOException {
        ChainedLog other = ChainedLog.genesis("node-b", null);
        other.request(Req.get("/api/x").job("j9"));
        Path otherFile = ChainedLog.write(folder.resolve("node-b.jsonl"), other.lines());

        CliResult result = CliResult.execute("audit", "verify", otherFile.toString(), active.toString(),
                first.toString(), second.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("node node-b (1 file):" + NL
                        + "  ok: the chain is intact: 1 record (1 request, 0 checkpoints) in 1 file, seq 1..1" + NL)
                .contains("node node-a (3 files):" + NL
                        + "  ok: the chain is intact: 13 records (11 requests, 2 checkpoints) in 3 files, seq 1..13");
    }

    @Test
    void aLineWithoutTheChainIsDamage() throws IOException {
        Path plain = Files.writeString(folder.resolve("old.jsonl"), "{\"ts\":\"2026-11-23T09:00:00.000Z\"}\n");
        String appended = lines.get(12).substring(0, lines.get(12).length() - 1) + ",\"extra\":1}";
        write(edited(lines, 12, appended));

        CliResult old = CliResult.execute("audit", "verify", plain.toString());
        CliResult tail = verify();

        assertThat(old.exitCode()).isEqualTo(1);
        assertThat(old.out()).startsWith("FAILED: " + plain + ":1: not a chained audit line: no \"seq\"");
        assertThat(tail.exitCode()).isEqualTo(1);
        assertThat(tail.out()).startsWith("FAILED: " + active + ":3: not a chained audit line: it does not end with "
                + "\"hash\"");
    }

    @Test
    void emptyFilesAreNotedAndNothingToVerifyFails() throws IOException {
        Path empty = Files.createFile(folder.resolve("empty.jsonl"));

        CliResult alone = CliResult.execute("audit", "verify", empty.toString());
        CliResult withLog = verify(empty.toString());

        assertThat(alone.exitCode()).isEqualTo(1);
        assertThat(alone.out()).isEqualTo("note: " + empty + " is empty; nothing to check in it" + NL
                + "FAILED: no complete audit record in the files given; nothing was verified" + NL);
        assertThat(withLog.exitCode()).isZero();
        assertThat(withLog.out()).endsWith("note: " + empty + " is empty; nothing to check in it" + NL);
    }

    @Test
    void unreadableFilesAndKeysAreUsageErrors() throws IOException {
        Path missing = folder.resolve("missing.jsonl");
        Path privateKey = Files.writeString(folder.resolve("node.key"),
                "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n");
        Path notAKey = Files.writeString(folder.resolve("junk.pub"), "hello\n");

        CliResult noFile = CliResult.execute("audit", "verify", missing.toString());
        CliResult noKey = verify("--key", folder.resolve("nokey.pub").toString());
        CliResult privateOne = verify("--key", privateKey.toString());
        CliResult junk = verify("--key", notAKey.toString());
        CliResult noArgs = CliResult.execute("audit", "verify");

        assertThat(noFile.exitCode()).isEqualTo(2);
        assertThat(noFile.err()).isEqualTo("sluice audit verify: cannot read " + missing + ": no such file" + NL);
        assertThat(noKey.exitCode()).isEqualTo(2);
        assertThat(noKey.err()).isEqualTo("sluice audit verify: cannot read key " + folder.resolve("nokey.pub")
                + ": no such file" + NL);
        assertThat(privateOne.exitCode()).isEqualTo(2);
        assertThat(privateOne.err()).contains("it holds a private key; pass the public key");
        assertThat(junk.exitCode()).isEqualTo(2);
        assertThat(junk.err()).contains("not a PEM public key (expected -----BEGIN PUBLIC KEY-----");
        assertThat(noArgs.exitCode()).isEqualTo(2);
        assertThat(noArgs.err()).contains("Missing required parameter: 'FILE'");
        Stream.of(noFile, noKey, privateOne, junk).forEach(r -> assertThat(r.out()).isEmpty());
    }
}
