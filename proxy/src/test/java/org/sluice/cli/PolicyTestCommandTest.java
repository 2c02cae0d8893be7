package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTestCommandTest {

    @TempDir
    Path folder;

    private Path policy;

    @BeforeEach
    void writePolicy() throws IOException {
        policy = write("policy.yaml", String.join("\n",
                "version: 1",
                "gateway:",
                "  listen: 127.0.0.1:8080",
                "  upstream: https://central.example.org",
                "limits:",
                "  maxUrlBytes: 64",
                "audit:",
                "  path: audit.jsonl",
                "rules:",
                "  - name: central-api",
                "    methods: [GET, POST]",
                "    paths: [\"/api/**\"]",
                "    query: [limit]",
                "    headers: [X-Request-Tag]",
                "  - name: health",
                "    methods: [GET]",
                "    paths: [/healthz]",
                ""));
    }

    @Test
    void everyCasePassingPrintsATableAndExitsZero() throws IOException {
        Path cases = write("cases.yaml", String.join("\n",
                "cases:",
                "  - name: fetch a task",
                "    request: GET /api/tasks?limit=10",
                "    headers: {X-Request-Tag: a, X-Debug: \"1\", Connection: close}",
                "    expect: allow",
                "    rule: central-api",
                "    forwarded: [X-Request-Tag, Host]",
                "    stripped: [X-Debug, Cookie, Connection]",
                "  - name: health check",
                "    request: GET https://central.example.org/healthz",
                "    expect: allow",
                "    rule: health",
                "  - name: unknown query parameter",
                "    request: GET /api/tasks?debug=1",
                "    expect: deny",
                "  - name: admin",
                "    request: POST /admin",
                "    expect: deny",
                "  - name: encoded slash",
                "    request: GET /api%2F..%2Fadmin",
                "    expect: bad_request",
                "  - name: long URL",
                "    request: GET /api/" + "x".repeat(60),
                "    expect: url_too_long",
                ""));

        CliResult result = CliResult.execute("policy", "test", policy.toString(), cases.toString());

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.err()).isEmpty();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(8);
        assertThat(lines.get(0)).matches("RESULT +CASE +REQUEST +EXPECTED +ACTUAL");
        assertThat(lines.get(1)).matches("PASS +fetch a task +GET /api/tasks\\?limit=10 +allow \\(central-api\\) "
                + "+allow \\(central-api\\)");
        assertThat(lines.get(3)).matches("PASS +unknown query parameter +GET /api/tasks\\?debug=1 +deny +deny");
        assertThat(lines.get(5)).matches("PASS +encoded slash +.* +bad_request +bad_request");
        assertThat(lines.get(6)).matches("PASS +long URL +.* +url_too_long +url_too_long");
        assertThat(lines.get(7)).isEqualTo("6 cases, 6 passed, 0 failed");
        int column = lines.get(0).indexOf("EXPECTED");
        assertThat(lines.subList(1, 7)).allSatisfy(line -> assertThat(line.substring(column)).matches("\\S.*"));
    }

    @Test
    void aMismatchIsAFailRowWithItsPositionAndReasonAndExitsOne() throws IOException {
        Path cases = write("cases.yaml", String.join("\n",
                "cases:",
                "  - name: fetch a task",
                "    request: GET /api/tasks",
                "    expect: allow",
                "  - name: admin must be allowed",
                "    request: POST /admin?limit=1",
                "    expect: allow",
                "  - name: tasks must be denied",
                "    request: GET /api/tasks",
                "    expect: deny",
                "  - name: debug header must go through",
                "    request: GET /api/tasks",
                "    headers: {X-Debug: \"1\"}",
                "    expect: allow",
                "    forwarded: [X-Debug]",
                "  - name: decided by health",
                "    request: GET /api/healthz",
                "    expect: allow",
                "    rule: health",
                ""));

        CliResult result = CliResult.execute("policy", "test", policy.toString(), cases.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(1)).startsWith("PASS ");
        assertThat(lines.get(2)).matches("FAIL +admin must be allowed +POST /admin\\?limit=1 +allow +deny");
        assertThat(lines.get(3)).isEqualTo("        " + cases + ":5:5: expected allow, got deny: no rule allows "
                + "POST on this path; nearest rule central-api at " + policy + ":10:5: path /admin matches none "
                + "of paths [/api/**]");
        assertThat(lines.get(4)).matches("FAIL +tasks must be denied +GET /api/tasks +deny +allow \\(central-api\\)");
        assertThat(lines.get(5)).isEqualTo("        " + cases + ":8:5: expected deny, got allow: allowed by rule "
                + "'central-api' at " + policy + ":10:5");
        assertThat(lines.get(6)).startsWith("FAIL    debug header must go through");
        assertThat(lines.get(7)).endsWith(":11:5: header X-Debug is stripped (not in the default set or rule "
                + "central-api's headers), expected forwarded");
        assertThat(lines.get(8)).startsWith("FAIL    decided by health");
        assertThat(lines.get(9)).endsWith(":16:5: expected rule health to decide, but rule central-api at "
                + policy + ":10:5 comes first");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("5 cases, 1 passed, 4 failed");
    }

    @Test
    void aMalformedCasesFileIsReportedWithPositionsAndExitsTwo() throws IOException {
        Path cases = write("cases.yaml", String.join("\n",
                "cases:",
                "  - name: one",
                "    request: GET /api/tasks",
                "    expect: alow",
                "    colour: blue",
                "  - name: one",
                "    request: GET",
                "    expect: deny",
                "    rule: central-api",
                "  - name: three",
                "    request: GET ftp://example.org/",
                "    headers: {\"Bad Header\": x}",
                "    expect: allow",
                "    rule: no-such-rule",
                ""));

        CliResult result = CliResult.execute("policy", "test", policy.toString(), cases.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        List<String> lines = result.err().lines().toList();
        assertThat(lines).containsExactly(
                cases + ":4:13: cases[0].expect: expected one of allow, deny, report, bad_request, url_too_long, "
                        + "headers_too_large, body_too_large, content_refused, got 'alow'",
                cases + ":5:5: unknown key 'colour' under cases[0]; expected one of: name, request, headers, "
                        + "body, bodyFile, expect, rule, forwarded, stripped",
                cases + ":6:11: duplicate case name 'one'; the first case with this name is at line 2; case names "
                        + "must be unique",
                cases + ":7:14: cases[1].request: expected METHOD URL, e.g. GET /api/tasks, got 'GET'",
                cases + ":9:11: cases[1].rule: only a request that a rule matches is decided by a rule; remove "
                        + "rule, or expect allow, report, body_too_large or content_refused",
                cases + ":11:14: cases[2].request: 'ftp://example.org/' is neither a path nor an http(s) URL; "
                        + "expected a path such as /api/tasks or an absolute URL such as https://host/api/tasks",
                cases + ":12:15: cases[2].headers: 'Bad Header' is not a header name; expected a token such as "
                        + "X-Request-Tag (letters, digits and !#$%&'*+-.^_`|~, no spaces)",
                cases + ":14:11: cases[2].rule: the policy has no rule 'no-such-rule'; its rules are central-api, "
                        + "health");
    }

    @Test
    void brokenYamlAndEmptyCaseListsAreErrors() throws IOException {
        Path broken = write("broken.yaml", "cases:\n  - name: x\n    request: [GET\n");
        Path empty = write("empty.yaml", "cases: []\n");
        Path nothing = write("nothing.yaml", "");

        CliResult brokenResult = CliResult.execute("policy", "test", policy.toString(), broken.toString());
        CliResult emptyResult = CliResult.execute("policy", "test", policy.toString(), empty.toString());
        CliResult nothingResult = CliResult.execute("policy", "test", policy.toString(), nothing.toString());

        assertThat(brokenResult.exitCode()).isEqualTo(2);
        assertThat(brokenResult.err()).startsWith(broken + ":4:1: malformed YAML: ");
        assertThat(emptyResult.exitCode()).isEqualTo(2);
        assertThat(emptyResult.err()).startsWith(empty + ":1:8: cases: expected a list of at least one case");
        assertThat(nothingResult.exitCode()).isEqualTo(2);
        assertThat(nothingResult.err()).startsWith(nothing + ":1:1: the cases file is empty");
    }

    @Test
    void aCaseBodyIsCheckedAgainstTheRulesBodyLimitFromTextOrFile() throws IOException {
        Path limited = write("limited.yaml", String.join("\n",
                "version: 1",
                "gateway:",
                "  listen: 127.0.0.1:8080",
                "  upstream: https://central.example.org",
                "audit:",
                "  path: audit.jsonl",
                "rules:",
                "  - name: results",
                "    methods: [POST]",
                "    paths: [\"/api/**\"]",
                "    limits: {maxRequestBodyBytes: 16}",
                ""));
        Files.createDirectories(folder.resolve("bodies"));
        Files.write(folder.resolve("bodies/big.bin"), new byte[17]);
        Files.write(folder.resolve("bodies/exact.bin"), new byte[16]);
        Path cases = write("cases.yaml", String.join("\n",
                "cases:",
                "  - name: small text body",
                "    request: POST /api/result",
                "    body: '{\"mean\": 4.2}'",
                "    expect: allow",
                "  - name: one byte over the limit",
                "    request: POST /api/result",
                "    bodyFile: bodies/big.bin",
                "    expect: body_too_large",
                "    rule: results",
                "  - name: at the limit",
                "    request: POST /api/result",
                "    bodyFile: bodies/exact.bin",
                "    expect: body_too_large",
                ""));

        CliResult result = CliResult.execute("policy", "test", limited.toString(), cases.toString());

        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(1)).matches("PASS +small text body +POST /api/result +allow +allow \\(results\\)");
        assertThat(lines.get(2)).matches("PASS +one byte over the limit +.* +body_too_large \\(results\\) "
                + "+body_too_large \\(results\\)");
        assertThat(lines.get(3)).matches("FAIL +at the limit +.* +body_too_large +allow \\(results\\)");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("3 cases, 2 passed, 1 failed");
    }

    @Test
    void aBodyFileThatCannotBeReadOrBothBodyKeysAreErrorsWithPositions() throws IOException {
        Path cases = write("cases.yaml", String.join("\n",
                "cases:",
                "  - name: missing file",
                "    request: POST /api/result",
                "    bodyFile: nowhere.json",
                "    expect: allow",
                "  - name: both",
                "    request: POST /api/result",
                "    body: x",
                "    bodyFile: nowhere.json",
                "    expect: allow",
                ""));

        CliResult result = CliResult.execute("policy", "test", policy.toString(), cases.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(cases + ":4:15: cases[0].bodyFile: cannot read "
                + folder.resolve("nowhere.json").toAbsolutePath())
                .contains("the path is relative to the cases file")
                .contains(cases + ":9:15: cases[1]: give body (the text) or bodyFile (a file), not both");
    }

    @Test
    void unreadableFilesAreErrors() throws IOException {
        Path cases = write("cases.yaml", "cases:\n  - {name: a, request: GET /api/x, expect: allow}\n");
        Path missing = folder.resolve("missing.yaml");
        Path invalidPolicy = write("invalid.yaml", "version: 1\n");

        CliResult noCases = CliResult.execute("policy", "test", policy.toString(), missing.toString());
        CliResult noPolicy = CliResult.execute("policy", "test", missing.toString(), cases.toString());
        CliResult badPolicy = CliResult.execute("policy", "test", invalidPolicy.toString(), cases.toString());
        CliResult oneArgument = CliResult.execute("policy", "test", policy.toString());

        assertThat(noCases.exitCode()).isEqualTo(2);
        assertThat(noCases.err()).isEqualTo("sluice: cannot read cases " + missing + ": no such file"
                + System.lineSeparator());
        assertThat(noPolicy.exitCode()).isEqualTo(2);
        assertThat(noPolicy.err()).startsWith("sluice: cannot read config " + missing);
        assertThat(badPolicy.exitCode()).isEqualTo(2);
        assertThat(badPolicy.err()).startsWith(invalidPolicy + ":1:1: ").contains("the config has no listener");
        assertThat(oneArgument.exitCode()).isEqualTo(2);
        assertThat(oneArgument.err()).contains("Missing required parameter: 'CASES'");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(folder.resolve(name), text, StandardCharsets.UTF_8);
    }
}
