package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.audit.AuditChain;
import org.sluice.proxy.audit.read.ChainedLog;
import org.sluice.proxy.audit.read.Req;
import org.sluice.proxy.testing.Await;
import picocli.CommandLine;

class AuditTailCommandTest {

    private static final KeyPair KEY = ChainedLog.newKey();
    private static final String NL = System.lineSeparator();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path folder;

    private ChainedLog chain;
    private Path active;

    @BeforeEach
    void fiveLines() throws IOException {
        chain = ChainedLog.genesis("node-a", KEY);
        chain.request(Req.get("/admin/export").job("j1").denied("no rule allows GET on this path")
                .at("2026-11-23T13:04:05.123Z"));
        chain.request(Req.post("/api/results", 24).job("j1").status(201).respBytes(87)
                .at("2026-11-23T13:04:06.000Z"));
        chain.request(Req.post("/api/results", 2_000_000)
                .refused(413, "body_too_large", "the request body is larger than maxRequestBodyBytes (1048576)")
                .at("2026-11-23T13:04:07.000Z"));
        chain.checkpoint("2026-11-23T13:04:08.000Z", "j1");
        chain.request(Req.get("/internal").host("central.example.org", 8443).report("no rule allows GET on this path")
                .respBytes(3000).at("2026-11-23T13:04:09.000Z"));
        active = ChainedLog.write(folder.resolve("audit.jsonl"), chain.lines());
    }

    @Test
    void oneReadableLinePerRecord() {
        CliResult result = CliResult.execute("audit", "tail", active.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).isEqualTo(String.join(NL,
                "2026-11-23 13:04:05.123  deny   403  GET  central.example.org/admin/export  (no rule allows GET on "
                        + "this path)  job=j1",
                "2026-11-23 13:04:06.000  allow  201  POST  central.example.org/api/results  (rule central-api, "
                        + "24 B out, 87 B in)  job=j1",
                "2026-11-23 13:04:07.000  allow  413  POST  central.example.org/api/results  body_too_large (the "
                        + "request body is larger than maxRequestBodyBytes (1048576))",
                "2026-11-23 13:04:08.000  checkpoint  seq 4, keyId " + AuditChain.keyId(KEY.getPublic())
                        + "  job=j1",
                "2026-11-23 13:04:09.000  report 200  GET  central.example.org:8443/internal  (no rule allows GET "
                        + "on this path)",
                ""));
    }

    @Test
    void minusNShowsTheLastLinesOnly() throws IOException {
        CliResult two = CliResult.execute("audit", "tail", "-n", "2", active.toString());
        CliResult none = CliResult.execute("audit", "tail", "-n", "0", active.toString());
        CliResult negative = CliResult.execute("audit", "tail", "-n", "-1", active.toString());
        Path gz = ChainedLog.writeGz(folder.resolve("audit-20261123T130000Z-1.jsonl.gz"), chain.lines());
        CliResult compressed = CliResult.execute("audit", "tail", "-n", "2", gz.toString());

        assertThat(two.out().lines()).hasSize(2).first().asString().startsWith("2026-11-23 13:04:08.000  checkpoint");
        assertThat(none.out()).isEmpty();
        assertThat(none.exitCode()).isZero();
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(compressed.out()).isEqualTo(two.out());
    }

    @Test
    void controlCharactersInValuesAreShownEscaped() throws IOException {
        ChainedLog other = ChainedLog.genesis("node-a", null);
        other.request(Req.get("/api/\u001b[2J\u202eexe").denied("no rule allows GET on this path").job("j\n2")
                .at("2026-11-23T13:04:05.123Z"));
        Path file = ChainedLog.write(folder.resolve("escape.jsonl"), other.lines());

        CliResult result = CliResult.execute("audit", "tail", file.toString());

        assertThat(result.out()).isEqualTo("2026-11-23 13:04:05.123  deny   403  GET  "
                + "central.example.org/api/\\u001b[2J\\u202eexe  (no rule allows GET on this path)  job=j\\u000a2"
                + NL);
    }

    @Test
    void anIncompleteLastLineIsLeftOutWithAWarning() throws IOException {
        Files.writeString(active, "{\"ts\":\"2026-11-23T13:0", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Files.writeString(active, "\nnot json\n" + chain.lines().get(0) + "\n{\"ts\"", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        CliResult result = CliResult.execute("audit", "tail", "-n", "3", active.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("2026-11-23 13:04:05.123  deny   403  GET  central.example.org/admin/export"
                + "  (no rule allows GET on this path)  job=j1" + NL);
        assertThat(result.err()).isEqualTo(String.join(NL,
                "sluice audit tail: warning: skipped 22 bytes that are not a complete audit line (a torn write?)",
                "sluice audit tail: warning: skipped 8 bytes that are not a complete audit line (a torn write?)",
                "sluice audit tail: warning: " + active + " ends with 5 bytes without a newline: a line being "
                        + "written, or torn by a crash",
                ""));
    }

    @Test
    void followShowsAppendedLinesAndGoesOnAfterARotation() throws Exception {
        AuditTailCommand tail = new AuditTailCommand();
        AtomicBoolean stop = new AtomicBoolean();
        tail.stopFollowing = stop::get;
        CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == AuditTailCommand.class ? type.cast(tail) : CommandLine.defaultFactory().create(type);
            }
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> commandLine.execute("audit", "tail", "-f", "-n", "1", active.toString()));
        Await.until(() -> out.toString().contains("13:04:09.000  report"), WAIT, "the last line");

        // Written in two parts: a half line is not shown until its newline arrives.
        String appended = chain.request(Req.get("/api/task/7").job("j3").at("2026-11-23T13:05:00.000Z"));
        Files.writeString(active, appended.substring(0, 30), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Files.writeString(active, appended.substring(30) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Await.until(() -> out.toString().contains("/api/task/7"), WAIT, "the appended line");

        // Rotation right after a last write to the old file: that line must not be lost.
        String beforeRotation = chain.request(Req.get("/api/task/8").at("2026-11-23T13:06:00.000Z"));
        Files.writeString(active, beforeRotation + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Files.move(active, folder.resolve(ChainedLog.rotatedName("20261123T130600Z", 1)));
        String afterRotation = chain.request(Req.get("/api/task/9").at("2026-11-23T13:06:01.000Z"));
        Files.writeString(active, afterRotation + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        Await.until(() -> out.toString().contains("/api/task/9"), WAIT, "the first line of the new file");
        stop.set(true);

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        List<String> shown = out.toString().lines().toList();
        assertThat(shown).hasSize(4);
        assertThat(shown.get(1)).isEqualTo("2026-11-23 13:05:00.000  allow  200  GET  central.example.org/api/task/7"
                + "  (rule central-api, 0 B out, 10 B in)  job=j3");
        assertThat(shown.get(2)).contains("/api/task/8");
        assertThat(shown.get(3)).contains("/api/task/9");
        assertThat(err.toString()).isEqualTo("sluice audit tail: " + active + " was replaced (rotated); following "
                + "the new file from its start" + NL);
    }

    @Test
    void followStartsOverWhenTheFileIsTruncated() throws Exception {
        AuditTailCommand tail = new AuditTailCommand();
        AtomicBoolean stop = new AtomicBoolean();
        tail.stopFollowing = stop::get;
        tail.pollInterval = Duration.ofMillis(20);
        CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == AuditTailCommand.class ? type.cast(tail) : CommandLine.defaultFactory().create(type);
            }
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> commandLine.execute("audit", "tail", "--follow", "--lines", "1", active.toString()));
        Await.until(() -> out.toString().contains("13:04:09.000  report"), WAIT, "the last line");

        Files.writeString(active, chain.lines().get(1) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.TRUNCATE_EXISTING);
        Await.until(() -> out.toString().contains("/api/results"), WAIT, "the line of the truncated file");
        stop.set(true);

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString().lines()).hasSize(2);
        assertThat(err.toString()).contains(active + " shrank (truncated); reading it again from its start");
    }

    @Test
    void aCompressedFileCannotBeFollowed() throws IOException {
        Path gz = ChainedLog.writeGz(folder.resolve("audit-20261123T130000Z-1.jsonl.gz"), chain.lines());

        CliResult result = CliResult.execute("audit", "tail", "-f", gz.toString());
        CliResult missing = CliResult.execute("audit", "tail", folder.resolve("none.jsonl").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice audit tail: cannot follow " + gz + ": it is compressed");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("sluice audit tail: cannot read " + folder.resolve("none.jsonl")
                + ": no such file" + NL);
    }
}
