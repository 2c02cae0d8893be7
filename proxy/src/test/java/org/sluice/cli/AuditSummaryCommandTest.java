package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.audit.read.ChainedLog;
import org.sluice.proxy.audit.read.Req;

class AuditSummaryCommandTest {

    private static final String NL = System.lineSeparator();

    @TempDir
    Path folder;

    private Path log;

    /**
     * Nine requests, a checkpoint and a torn last line. By hand:
     * j1: 5 requests: 200 and 201 allowed (100 + 50 bytes out), a deny, a 413 refused (its 2000 bytes never
     * left), a 404 from the central server (forwarded, neither allowed nor refused); 10+5+120+130+20 = 285 in.
     * j2: 3 requests: a report (7 out, 30 in) and two denies (120 in each).
     * no job: 1 allowed GET, 2048 bytes in, the next day.
     */
    @BeforeEach
    void knownLog() throws IOException {
        ChainedLog chain = ChainedLog.genesis("node-a", ChainedLog.newKey());
        chain.request(Req.post("/api/results", 100).job("j1").respBytes(10).at("2026-11-23T09:00:00.000Z"));
        chain.request(Req.post("/api/results", 50).job("j1").status(201).respBytes(5).at("2026-11-23T09:00:01.000Z"));
        chain.request(Req.get("/admin/export").job("j1").denied("no rule allows GET on this path")
                .at("2026-11-23T09:00:02.000Z"));
        chain.request(Req.post("/api/results", 2000).job("j1")
                .refused(413, "body_too_large", "the request body is larger than maxRequestBodyBytes (1024)")
                .at("2026-11-23T09:00:03.000Z"));
        chain.request(Req.get("/api/missing").job("j1").status(404).respBytes(20).at("2026-11-23T09:00:04.000Z"));
        chain.checkpoint("2026-11-23T09:00:05.000Z", "j1");
        chain.request(Req.post("/internal/debug", 7).job("j2").report("no rule allows POST on this path")
                .respBytes(30).at("2026-11-23T09:00:06.000Z"));
        chain.request(Req.get("/admin/export").job("j2").client("172.18.0.6")
                .denied("no rule allows GET on this path").at("2026-11-23T09:00:07.000Z"));
        chain.request(Req.get("/metrics").job("j2").denied("no rule allows GET on this path")
                .at("2026-11-23T09:00:08.000Z"));
        chain.request(Req.get("/api/ping").client("172.18.0.6").respBytes(2048).at("2026-11-24T08:00:00.000Z"));
        log = ChainedLog.write(folder.resolve("audit.jsonl"), chain.lines());
        Files.writeString(log, "{\"ts\":\"2026-11-24T08:00:01.0", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Test
    void theDefaultIsATableByJob() {
        CliResult result = CliResult.execute("audit", "summary", log.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo(String.join(NL,
                "9 requests in 1 file, 2026-11-23 09:00:00.000 .. 2026-11-24 08:00:00.000 UTC, by job",
                "job     requests  allowed  denied  refused  report  bytes out  bytes in",
                "j1             5        2       1        1       0      150 B     285 B",
                "j2             3        0       2        0       1        7 B     270 B",
                "(none)         1        1       0        0       0        0 B   2.0 KiB",
                "total          9        3       3        1       1      157 B   2.5 KiB",
                "",
                "top denied destinations (host + path):",
                "  denied  destination",
                "       2  central.example.org/admin/export",
                "       1  central.example.org/metrics",
                ""));
        assertThat(result.err()).isEqualTo("sluice audit summary: warning: skipped " + log + ":11: 28 bytes that "
                + "are not a complete audit line (the end of the file: a torn write, or a line still being written)"
                + NL);
    }

    @Test
    void jsonHasTheExactNumbers() {
        CliResult result = CliResult.execute("audit", "summary", log.toString(), "--format", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().replaceAll("\\s+", "")).isEqualTo("{\"by\":\"job\","
                + "\"from\":\"2026-11-23T09:00:00.000Z\",\"to\":\"2026-11-24T08:00:00.000Z\","
                + "\"total\":{\"requests\":9,\"allowed\":3,\"denied\":3,\"refused\":1,\"report\":1,"
                + "\"bytesOut\":157,\"bytesIn\":2603},"
                + "\"groups\":["
                + "{\"job\":\"j1\",\"requests\":5,\"allowed\":2,\"denied\":1,\"refused\":1,\"report\":0,"
                + "\"bytesOut\":150,\"bytesIn\":285},"
                + "{\"job\":\"j2\",\"requests\":3,\"allowed\":0,\"denied\":2,\"refused\":0,\"report\":1,"
                + "\"bytesOut\":7,\"bytesIn\":270},"
                + "{\"job\":null,\"requests\":1,\"allowed\":1,\"denied\":0,\"refused\":0,\"report\":0,"
                + "\"bytesOut\":0,\"bytesIn\":2048}],"
                + "\"topDenied\":["
                + "{\"host\":\"central.example.org\",\"path\":\"/admin/export\",\"requests\":2},"
                + "{\"host\":\"central.example.org\",\"path\":\"/metrics\",\"requests\":1}],"
                + "\"contentChecks\":{},"
                + "\"skippedLines\":1}");
    }

    @Test
    void contentRefusalsAreCountedAsRefusedAndByCheck() throws IOException {
        ChainedLog chain = ChainedLog.genesis("node-a", null);
        chain.request(Req.post("/api/results", 40).job("j1").contentRefused("protectedData", 3,
                "the request carries 3 protected rows; protectedData.maxRows allows 0"));
        chain.request(Req.post("/api/results", 40).job("j1").contentRefused("types",
                0, "the body is text/csv; content.types allows application/json"));
        chain.request(Req.post("/api/results", 40).job("j1").contentReported("protectedData",
                "the request carries 1 protected row; protectedData.maxRows allows 0"));
        chain.request(Req.post("/api/results", 40).job("j1"));
        Path content = ChainedLog.write(folder.resolve("content.jsonl"), chain.lines());

        CliResult table = CliResult.execute("audit", "summary", content.toString());
        CliResult json = CliResult.execute("audit", "summary", content.toString(), "--format", "json");

        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("j1          4        1       0        2       1       80 B")
                .contains(String.join(NL,
                        "content checks that refused requests (or would have, in report mode):",
                        "  requests  check",
                        "         2  protectedData",
                        "         1  types",
                        "",
                        "no denied requests"));
        assertThat(json.out().replaceAll("\\s+", ""))
                .contains("\"contentChecks\":{\"protectedData\":2,\"types\":1}");
    }

    @Test
    void csvByDayAndByRule() {
        CliResult byDay = CliResult.execute("audit", "summary", log.toString(), "--by", "day", "--format", "csv");
        CliResult byRule = CliResult.execute("audit", "summary", log.toString(), "--by", "rule", "--format", "csv");

        assertThat(byDay.exitCode()).isZero();
        assertThat(byDay.out()).isEqualTo(String.join(NL,
                "day,requests,allowed,denied,refused,report,bytesOut,bytesIn",
                "2026-11-23,8,2,3,1,1,157,555",
                "2026-11-24,1,1,0,0,0,0,2048",
                ""));
        // The 413 keeps its rule (the rules allowed it; a limit refused it); denials and the report have none.
        assertThat(byRule.out()).isEqualTo(String.join(NL,
                "rule,requests,allowed,denied,refused,report,bytesOut,bytesIn",
                "central-api,5,3,0,1,0,150,2213",
                ",4,0,3,0,1,7,390",
                ""));
    }

    @Test
    void byClientAndByHost() {
        CliResult byClient = CliResult.execute("audit", "summary", log.toString(), "--by", "client", "--format",
                "csv");
        CliResult byHost = CliResult.execute("audit", "summary", log.toString(), "--by", "host", "--format", "csv");

        assertThat(byClient.out()).isEqualTo(String.join(NL,
                "client,requests,allowed,denied,refused,report,bytesOut,bytesIn",
                "172.18.0.5,7,2,2,1,1,157,435",
                "172.18.0.6,2,1,1,0,0,0,2168",
                ""));
        assertThat(byHost.out()).isEqualTo(String.join(NL,
                "host,requests,allowed,denied,refused,report,bytesOut,bytesIn",
                "central.example.org,9,3,3,1,1,157,2603",
                ""));
    }

    /**
     * By hand: task 42: two allowed posts (100 + 50 out, 10 + 10 in); task 43: an allowed post (30 out, 10 in) and
     * one refused by its budget (its 40 never left, 130 in); no task: a deny (120 in) and an allowed GET (10 in).
     */
    @Test
    void byTaskCountsEachClaimedTaskAndTheRequestsWithoutOne() throws IOException {
        ChainedLog chain = ChainedLog.genesis("node-a", null);
        chain.request(Req.post("/api/results", 100).task("42"));
        chain.request(Req.post("/api/results", 30).task("43"));
        chain.request(Req.post("/api/results", 50).status(201).task("42"));
        chain.request(Req.post("/api/results", 40).task("43")
                .refused(429, "budget_exceeded", "the task has made 2 requests in this window"));
        chain.request(Req.get("/admin/export").denied("no rule allows GET on this path"));
        chain.request(Req.get("/api/ping"));
        Path tasks = ChainedLog.write(folder.resolve("tasks.jsonl"), chain.lines());

        CliResult csv = CliResult.execute("audit", "summary", tasks.toString(), "--by", "task", "--format", "csv");
        CliResult table = CliResult.execute("audit", "summary", tasks.toString(), "--by", "task");

        assertThat(csv.exitCode()).as(csv.err()).isZero();
        assertThat(csv.out()).isEqualTo(String.join(NL,
                "task,requests,allowed,denied,refused,report,bytesOut,bytesIn",
                "42,2,2,0,0,0,150,20",
                "43,2,1,0,1,0,30,140",
                ",2,1,1,0,0,0,130",
                ""));
        assertThat(table.out()).startsWith("6 requests in 1 file, 2026-11-23 09:15:02.123 .. 2026-11-23 09:15:02.123 "
                + "UTC, by task" + NL + "task    requests").contains(NL + "(none)         2        1       1");
    }

    @Test
    void theTableFitsInOneHundredColumns() throws IOException {
        String longJob = "job-" + "x".repeat(150);
        String longPath = "/api/" + "y".repeat(150);
        ChainedLog chain = ChainedLog.genesis("node-a", null);
        chain.request(Req.get(longPath).job(longJob).denied("no rule allows GET on this path")
                .respBytes(5L << 40));
        chain.request(Req.get("/api/z").job("short").reqBytes(123_456_789_012L).respBytes(9));
        Path wide = ChainedLog.write(folder.resolve("wide.jsonl"), chain.lines());

        CliResult result = CliResult.execute("audit", "summary", wide.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(100));
        assertThat(result.out()).contains(NL + "job-xxxxxxx").contains("x..." + "  ").contains("5.0 TiB")
                .contains("y..." + NL);
    }

    @Test
    void csvQuotesValuesWithCommasAndQuotes() throws IOException {
        ChainedLog chain = ChainedLog.genesis("node-a", null);
        chain.request(Req.get("/api/a").job("study \"A\", site 2"));
        Path quoted = ChainedLog.write(folder.resolve("quoted.jsonl"), chain.lines());

        CliResult result = CliResult.execute("audit", "summary", quoted.toString(), "--format", "csv");

        assertThat(result.out()).contains(NL + "\"study \"\"A\"\", site 2\",1,1,0,0,0,0,10" + NL);
    }

    @Test
    void severalFilesAddUpAndBadArgumentsAreUsageErrors() throws IOException {
        Path gz = ChainedLog.writeGz(folder.resolve("audit-20261122T000000Z-1.jsonl.gz"),
                Files.readAllLines(log).subList(0, 3));

        CliResult both = CliResult.execute("audit", "summary", log.toString(), gz.toString(), "--by", "host",
                "--format", "csv");
        CliResult badBy = CliResult.execute("audit", "summary", log.toString(), "--by", "week");
        CliResult missing = CliResult.execute("audit", "summary", folder.resolve("nope.jsonl").toString());

        assertThat(both.out()).contains(NL + "central.example.org,12,5,4,1,1,307,2738" + NL);
        assertThat(badBy.exitCode()).isEqualTo(2);
        assertThat(badBy.err()).contains("Invalid value for option '--by'").contains("week");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("sluice audit summary: cannot read " + folder.resolve("nope.jsonl")
                + ": no such file" + NL);
    }
}
