package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.proxy.SluiceServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: a throwaway central server and Sluice in front of it on free local ports, one allowed, one
 * denied and one oversize request, then what the client saw, what the central server received and the audit log.
 */
@Command(
        name = "demo",
        description = {
            "Show Sluice at work locally: an allowed, a denied and an oversize request.",
            "",
            "Starts a throwaway central server and Sluice on free ports of 127.0.0.1 (settings like "
                    + "examples/gateway.yaml), sends the three requests, prints what the client got, what the "
                    + "central server received and the audit log.",
            "Exits 0 when all three end as the policy says, 1 otherwise."})
final class DemoCommand implements Callable<Integer> {

    private static final String RULE = "central-api";
    private static final int RULE_BODY_LIMIT_KIB = 64;
    private static final int OVERSIZE_BODY_BYTES = 1 << 20;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration AUDIT_WAIT = Duration.ofSeconds(5);

    @Spec
    private CommandSpec spec;

    /** Where the demo's temporary folder is made; null: the system's temporary folder. */
    private final Path tempRoot;
    private final FolderStep afterConfigWritten;

    /** Runs on the demo's folder once its config is written (tests make the demo fail there). */
    @FunctionalInterface
    interface FolderStep {
        void accept(Path folder) throws IOException;
    }

    DemoCommand() {
        this(null, folder -> { });
    }

    DemoCommand(Path tempRoot, FolderStep afterConfigWritten) {
        this.tempRoot = tempRoot;
        this.afterConfigWritten = afterConfigWritten;
    }

    /** One request as the demo sends it and the outcome the policy promises for it. */
    private record Step(String method, String target, byte[] body, int expectedStatus, String expectedError) {
        String shown() {
            return method + " " + target + (body != null ? " (" + Sizes.format(body.length) + " body)" : "");
        }
    }

    /** What the client saw; status -1 when no response came back. */
    private record Outcome(Step step, int status, String sluiceError, String requestId, String reason) {
        boolean expected() {
            return status == step.expectedStatus() && Objects.equals(sluiceError, step.expectedError());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        QuietLog quiet = QuietLog.warningsOnly();
        try {
            return demo(out, err);
        } catch (IOException e) {
            err.println("sluice demo: " + IoMessages.describe(e));
            return SluiceCli.CHECK_FAILED;
        } catch (ConfigException e) {
            err.println("sluice demo: the generated config is invalid:");
            e.problems().forEach(err::println);
            return SluiceCli.CHECK_FAILED;
        } finally {
            quiet.close();
            out.flush();
            err.flush();
        }
    }

    /** The demo in a temporary folder of its own, deleted when it ends, however it ends. */
    private int demo(PrintWriter out, PrintWriter err) throws IOException, ConfigException, InterruptedException {
        Path folder = tempRoot == null ? Files.createTempDirectory("sluice-demo-")
                : Files.createTempDirectory(tempRoot, "sluice-demo-");
        try {
            return demo(out, err, folder);
        } finally {
            TempFolders.delete(folder);
        }
    }

    private int demo(PrintWriter out, PrintWriter err, Path folder)
            throws IOException, ConfigException, InterruptedException {
        Path configFile = folder.resolve("sluice-demo.yaml");
        Path auditFile = folder.resolve("audit.jsonl");
        try (DemoUpstream upstream = DemoUpstream.start()) {
            Files.writeString(configFile, configYaml(upstream.port(), auditFile), StandardCharsets.UTF_8);
            afterConfigWritten.accept(folder);
            SluiceConfig config = ConfigLoader.load(configFile);
            List<Step> steps = List.of(
                    new Step("GET", "/api/tasks?limit=10", null, 200, null),
                    new Step("GET", "/admin/export", null, 403, "denied"),
                    new Step("POST", "/api/results", oversizeBody(), 413, "body_too_large"));

            List<Outcome> outcomes = new ArrayList<>();
            List<String> auditLines;
            try (SluiceServer server = SluiceServer.start(config)) {
                printSetup(out, upstream, server, configFile);
                URI gateway = URI.create("http://" + Addresses.format(server.gatewayAddress()));
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .proxy(HttpClient.Builder.NO_PROXY)
                        .connectTimeout(REQUEST_TIMEOUT)
                        .build();
                for (Step step : steps) {
                    outcomes.add(send(client, gateway, step));
                }
                auditLines = awaitAuditLines(server, auditFile, steps.size());
            }
            printOutcomes(out, outcomes, auditLines);
            List<DemoUpstream.Received> received = upstream.received();
            printReceived(out, received);
            printAudit(out, auditFile, auditLines);
            return verdict(out, err, outcomes, received, auditLines, steps.size());
        }
    }

    /** Like examples/gateway.yaml, on free loopback ports, with a small body limit so 1 MiB is oversize. */
    static String configYaml(int upstreamPort, Path auditFile) {
        return String.join("\n",
                "# Written by `sluice demo`; the central server is a throwaway stand-in on port " + upstreamPort + ".",
                "version: 1",
                "mode: enforce",
                "allowPrivate: [127.0.0.0/8]   # the stand-in central server is on loopback, denied by default",
                "gateway:",
                "  listen: 127.0.0.1:0",
                "  upstream: http://" + DemoUpstream.LOOPBACK + ":" + upstreamPort,
                "admin:",
                "  listen: 127.0.0.1:0",
                "audit:",
                "  path: " + yamlString(auditFile.toString()),
                "rules:",
                "  - name: " + RULE,
                "    methods: [GET, POST]",
                "    paths: [\"/api/**\"]",
                "    limits:",
                "      maxRequestBodyBytes: " + RULE_BODY_LIMIT_KIB + "KiB",
                "");
    }

    /** A double-quoted YAML scalar: safe for any temp-folder path, backslashes included. */
    private static String yamlString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static byte[] oversizeBody() {
        byte[] body = new byte[OVERSIZE_BODY_BYTES];
        Arrays.fill(body, (byte) 'r');
        return body;
    }

    private static Outcome send(HttpClient client, URI gateway, Step step) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(step.target())).timeout(REQUEST_TIMEOUT);
        if (step.body() != null) {
            // No Expect: 100-continue: Java 17's HttpClient waits forever when the answer is a final status (JDK-8286171).
            request.header("Content-Type", "application/octet-stream")
                    .method(step.method(), HttpRequest.BodyPublishers.ofByteArray(step.body()));
        } else {
            request.method(step.method(), HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String error = response.headers().firstValue("X-Sluice-Error").orElse(null);
            String reason = error != null ? JsonFields.of(response.body()).get("reason") : null;
            return new Outcome(step, response.statusCode(), error,
                    response.headers().firstValue("X-Sluice-Request-Id").orElse(null), reason);
        } catch (IOException e) {
            return new Outcome(step, -1, null, null, "no response: " + IoMessages.describe(e));
        }
    }

    /** Audit records are written by their own thread, possibly just after the client got its response. */
    private static List<String> awaitAuditLines(SluiceServer server, Path auditFile, int expected)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + AUDIT_WAIT.toNanos();
        while (true) {
            server.auditLog().flush(Duration.ofMillis(500));
            List<String> lines = readLines(auditFile);
            if (lines.size() >= expected || System.nanoTime() - deadline > 0) {
                return lines;
            }
            Thread.sleep(20);
        }
    }

    private static List<String> readLines(Path file) throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank()).toList();
        } catch (NoSuchFileException notYet) {
            return List.of();
        }
    }

    private static void printSetup(PrintWriter out, DemoUpstream upstream, SluiceServer server, Path configFile) {
        out.println("Sluice demo: an algorithm may talk only to its central server, through Sluice.");
        out.println();
        out.printf("  central server  http://%s:%d   (a throwaway stand-in that answers JSON)%n",
                DemoUpstream.LOOPBACK, upstream.port());
        InetSocketAddress gateway = server.gatewayAddress();
        out.printf("  Sluice gateway  http://%s   (transport %s, config %s, deleted when the demo ends)%n",
                Addresses.format(gateway), server.transport(), configFile);
        out.printf("  policy          rule %s allows GET and POST on /api/** with request bodies up to %d KiB;%n",
                RULE, RULE_BODY_LIMIT_KIB);
        out.println("                  anything no rule allows is denied");
        out.println();
        out.flush();
    }

    private static void printOutcomes(PrintWriter out, List<Outcome> outcomes, List<String> auditLines) {
        Map<String, Map<String, String>> auditById = new HashMap<>();
        for (String line : auditLines) {
            Map<String, String> fields = JsonFields.of(line);
            if (fields.get("id") != null) {
                auditById.put(fields.get("id"), fields);
            }
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"request", "status", "X-Sluice-Error", "reason"});
        for (Outcome outcome : outcomes) {
            String reason = outcome.reason();
            if (reason == null && outcome.requestId() != null && auditById.containsKey(outcome.requestId())) {
                reason = auditById.get(outcome.requestId()).get("reason");   // forwarded: the reason is in the audit
            }
            rows.add(new String[] {
                outcome.step().shown(),
                outcome.status() < 0 ? "none" : Integer.toString(outcome.status()),
                outcome.sluiceError() != null ? outcome.sluiceError() : "-",
                reason != null ? reason : "-"});
        }
        out.println("What the algorithm got back:");
        printTable(out, rows);
        out.println();
    }

    private static void printTable(PrintWriter out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length - 1];   // the last column is not padded
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < widths.length; i++) {
                line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            out.println(line.append(row[row.length - 1]));
        }
    }

    private static void printReceived(PrintWriter out, List<DemoUpstream.Received> received) {
        out.printf("What the central server received: %d request%s%n", received.size(), received.size() == 1 ? "" : "s");
        for (DemoUpstream.Received each : received) {
            out.println("  " + each);
        }
        if (received.size() == 1) {
            out.println("  (the denied and the oversize request never left Sluice)");
        }
        out.println();
    }

    private static void printAudit(PrintWriter out, Path auditFile, List<String> auditLines) {
        out.println("The audit log, one JSON line per request (fields: README.md, docs/configuration.md):");
        out.println("  " + auditFile);
        for (String line : auditLines) {
            out.println("  " + line);
        }
        out.println();
    }

    private static int verdict(PrintWriter out, PrintWriter err, List<Outcome> outcomes,
                               List<DemoUpstream.Received> received, List<String> auditLines, int requests) {
        List<String> failures = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            if (!outcome.expected()) {
                failures.add(outcome.step().shown() + ": expected " + outcome.step().expectedStatus()
                        + (outcome.step().expectedError() != null ? " " + outcome.step().expectedError() : "")
                        + ", got " + (outcome.status() < 0 ? "no response" : outcome.status()
                        + (outcome.sluiceError() != null ? " " + outcome.sluiceError() : "")));
            }
        }
        if (received.size() != 1) {
            failures.add("the central server received " + received.size() + " requests, expected exactly 1");
        }
        if (auditLines.size() != requests) {
            failures.add("the audit log has " + auditLines.size() + " lines, expected " + requests);
        }
        if (failures.isEmpty()) {
            out.println("OK: the allowed request reached the central server; Sluice refused the other two itself.");
            out.println("Next: ask the example policy about a request first:");
            out.println("        ./sluice policy explain examples/gateway.yaml GET /admin/export");
            out.println("      then run it as yourself: examples/gateway.yaml logs to /var/log/sluice, which is "
                    + "root's; this copy logs to ./audit.jsonl:");
            out.println("        sed 's#/var/log/sluice/audit.jsonl#audit.jsonl#' examples/gateway.yaml "
                    + "> my-sluice.yaml");
            out.println("        ./sluice run --config my-sluice.yaml   # and set gateway.upstream to your central "
                    + "server");
            return SluiceCli.OK;
        }
        err.println("sluice demo: FAILED");
        failures.forEach(failure -> err.println("  " + failure));
        return SluiceCli.CHECK_FAILED;
    }
}
