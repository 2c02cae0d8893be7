package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyExplainCommandTest {

    @TempDir
    Path folder;

    @Test
    void anAllowedRequestShowsItsRuleLimitsAndExitsZero() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult result = explain(config, "GET", "/api//tasks/./?limit=10&offset=20");

        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out())
                .containsPattern("(?m)^  listener +gateway \\(to its upstream https://central.example.org:443\\)$")
                .containsPattern("(?m)^  method +GET$")
                .containsPattern("(?m)^  path +/api/tasks/ \\(normalised from /api//tasks/\\./\\)$")
                .containsPattern("(?m)^  query parameters +limit, offset$")
                .containsPattern("(?m)^decision +allow \\(forwarded to https://central.example.org:443\\)$")
                .containsPattern("(?m)^  reason +allowed by rule 'central-api'$")
                .contains("  rule                  central-api at " + config + ":16:5" + System.lineSeparator())
                .containsPattern("(?m)^  maxRequestBodyBytes +10 MiB \\(set by rule central-api\\)$")
                .containsPattern("(?m)^  maxResponseBodyBytes +64 MiB \\(top-level limits\\)$")
                .containsPattern("(?m)^  maxUrlBytes +64 B; this request target: 33 bytes$")
                .containsPattern("(?m)^  maxHeaderBytes +100 B; the -H headers: 0 bytes")
                .doesNotContain("nearest rules");
    }

    @Test
    void aDeniedRequestShowsTheNearestRulesWithEveryReasonAndExitsOne() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult result = explain(config, "POST", "/admin/export?debug=1");

        assertThat(result.exitCode()).isEqualTo(1);
        List<String> lines = result.out().lines().toList();
        assertThat(lines).contains(
                "decision                deny (403 denied; nothing is forwarded)",
                "  reason                no rule allows POST on this path",
                "  rule                  none matched",
                "nearest rules",
                "  central-api           " + config + ":16:5",
                "                        - path /admin/export matches none of paths [/api/**]",
                "                        - query parameter 'debug' is not in query [limit, offset]",
                "  uploads               " + config + ":23:5",
                "                        - method POST is not in methods [PUT]",
                "                        - path /admin/export matches none of paths [/api/uploads/*]");
        assertThat(lines.indexOf("  central-api           " + config + ":16:5"))
                .isLessThan(lines.indexOf("  uploads               " + config + ":23:5"));
        assertThat(result.out()).doesNotContain("maxRequestBodyBytes").doesNotContain("forwarded  ");
    }

    @Test
    void aRequestNoRuleMatchesInReportModeIsForwardedAndStillShowsTheNearestRules() throws IOException {
        Path config = write("p.yaml", policy("report", true));

        CliResult result = explain(config, "GET", "/admin");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .containsPattern("(?m)^decision +report \\(forwarded, and audited as report\\)$")
                .containsPattern("(?m)^  reason +no rule allows GET on this path; let through because the policy "
                        + "is in report mode$")
                .contains("nearest rules")
                .contains("- path /admin matches none of paths [/api/**]")
                .containsPattern("(?m)^  maxRequestBodyBytes +1 MiB \\(top-level limits\\)$");
    }

    @Test
    void aRuleInReportModeIsNamed() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult result = explain(config, "PUT", "/api/uploads/7");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .containsPattern("(?m)^decision +report ")
                .contains("  rule                  uploads at " + config + ":23:5")
                .doesNotContain("nearest rules");
    }

    @Test
    void headersTheRuleDoesNotListAreShownAsStripped() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult result = explain(config, "GET", "/api/tasks", "-H", "X-Request-Tag: a7", "-H", "X-Debug:1",
                "-H", "Accept: */*", "--header", "Host: sluice:8080", "-H", "Connection: close");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out().lines().toList()).contains(
                "  forwarded             X-Request-Tag: a7",
                "  stripped              X-Debug: 1 (not in the default set or rule central-api's headers)",
                "  forwarded             Accept: */*",
                "  replaced              Host: sluice:8080 (sent upstream as Host: central.example.org)",
                "  not forwarded         Connection: close (hop-by-hop or Expect: handled by Sluice, never "
                        + "forwarded as sent)",
                "  rule's own            x-request-tag");
        assertThat(result.out()).containsPattern("(?m)^  always forwarded +accept, accept-encoding, ");
    }

    @Test
    void aTargetOneByteOverMaxUrlBytesIsRefusedWith414BeforeThePolicy() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));
        String fits = "/api/" + "a".repeat(64 - "/api/".length());

        CliResult atLimit = explain(config, "GET", fits);
        CliResult over = explain(config, "GET", fits + "b");

        assertThat(atLimit.exitCode()).isZero();
        assertThat(over.exitCode()).isEqualTo(1);
        assertThat(over.out())
                .containsPattern("(?m)^decision +refused before the policy: 414 url_too_long \\(nothing is "
                        + "forwarded\\)$")
                .containsPattern("(?m)^  reason +the request target is 65 bytes; maxUrlBytes allows 64$")
                .containsPattern("(?m)^  policy +not consulted; within the limits: allow \\(allowed by rule "
                        + "'central-api'\\)$");
    }

    @Test
    void headersOneByteOverMaxHeaderBytesAreRefusedWith431() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));
        String name = "X-Request-Tag";
        String fits = "v".repeat(100 - name.length() - 2);

        CliResult atLimit = explain(config, "GET", "/api/tasks", "-H", name + ": " + fits);
        CliResult over = explain(config, "GET", "/api/tasks", "-H", name + ": " + fits + "w");

        assertThat(atLimit.exitCode()).isZero();
        assertThat(over.exitCode()).isEqualTo(1);
        assertThat(over.out())
                .containsPattern("(?m)^decision +refused before the policy: 431 headers_too_large")
                .contains("the request headers are 101 bytes; maxHeaderBytes allows 100");
    }

    @Test
    void anAbsoluteUrlElsewhereIsAForwardProxyRequestWhichAllowNetworkAccessFalseDenies() throws IOException {
        Path config = write("p.yaml", policy("enforce", false));

        CliResult result = explain(config, "GET", "http://PyPI.org./simple/numpy/");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out())
                .containsPattern("(?m)^  listener +forward proxy \\(to http://pypi.org:80\\)$")
                .containsPattern("(?m)^decision +deny ")
                .containsPattern("(?m)^  reason +allowNetworkAccess is false: only the gateway's upstream is "
                        + "reachable$")
                .containsPattern("(?m)^nearest rules +none consulted: allowNetworkAccess is false");
    }

    @Test
    void aForwardProxyRequestFollowsTheRulesWhenNetworkAccessIsAllowed() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult pypi = explain(config, "GET", "https://pypi.org/simple/numpy/");
        CliResult plainHttp = explain(config, "GET", "http://pypi.org/simple/numpy/");

        // The forward listener takes https only as CONNECT, so the plain https request is refused before the policy.
        assertThat(pypi.exitCode()).isEqualTo(1);
        assertThat(pypi.out())
                .containsPattern("(?m)^decision +refused before the policy: 400 bad_request")
                .contains("send CONNECT host:443 and speak TLS through the tunnel")
                .contains("not consulted; within the limits: allow (allowed by rule 'pypi')");
        assertThat(plainHttp.exitCode()).isEqualTo(1);
        assertThat(plainHttp.out())
                .containsPattern("(?m)^  listener +forward proxy \\(to http://pypi.org:80\\)$")
                .contains("- scheme http is not in schemes [https]")
                .contains("- port 80 is not in ports [443]");
    }

    @Test
    void aConnectIsATunnelDecidedByConnectRulesOnHostAndPortOnly() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult allowed = explain(config, "CONNECT", "PyPI.org.:443");

        assertThat(allowed.exitCode()).as(allowed.out() + allowed.err()).isZero();
        assertThat(allowed.err()).isEmpty();
        assertThat(allowed.out())
                .containsPattern("(?m)^request +CONNECT PyPI.org.:443$")
                .containsPattern("(?m)^  listener +forward proxy \\(to https://pypi.org:443\\)$")
                .containsPattern("(?m)^  tunnel +to pypi.org port 443; only host and port are checked")
                .containsPattern("(?m)^decision +allow \\(tunnel opened to https://pypi.org:443\\)$")
                .contains("  rule                  pypi-tunnel at " + config + ":33:5")
                .containsPattern("(?m)^  body limits +none inside a tunnel")
                .doesNotContain("  path ").doesNotContain("maxRequestBodyBytes").doesNotContainPattern("(?m)^headers");

        CliResult otherPort = explain(config, "CONNECT", "pypi.org:22");

        assertThat(otherPort.exitCode()).isEqualTo(1);
        List<String> lines = otherPort.out().lines().toList();
        assertThat(lines).contains(
                "decision                deny (403 denied; nothing is forwarded)",
                "  reason                no CONNECT rule for this host allows this port",
                "nearest rules",
                "  pypi-tunnel           " + config + ":33:5",
                "                        - port 22 is not in ports [443]");
        assertThat(otherPort.out()).as("only CONNECT rules are near a tunnel").doesNotContain("central-api");
    }

    @Test
    void aConnectIsDeniedWhenNetworkAccessIsNotAllowed() throws IOException {
        Path config = write("p.yaml", policy("enforce", false));

        CliResult result = explain(config, "CONNECT", "pypi.org:443");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out())
                .containsPattern("(?m)^  reason +allowNetworkAccess is false: only the gateway's upstream is "
                        + "reachable$")
                .containsPattern("(?m)^nearest rules +none consulted: allowNetworkAccess is false");
    }

    @Test
    void aBadConnectTargetIsAUsageError() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult noPort = explain(config, "CONNECT", "pypi.org");
        CliResult url = explain(config, "CONNECT", "https://pypi.org:443");
        CliResult octal = explain(config, "CONNECT", "0177.0.0.1:443");

        assertThat(noPort.exitCode()).isEqualTo(2);
        assertThat(noPort.err()).contains("URL: 'pypi.org' has no port; a CONNECT target is host:port");
        assertThat(url.exitCode()).isEqualTo(2);
        assertThat(url.err()).contains("without scheme, path or query");
        assertThat(octal.exitCode()).isEqualTo(2);
        assertThat(octal.err()).contains("is not a canonical IPv4 address");
    }

    @Test
    void aConnectToAPathIsTheGatewaysToRefuse() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult result = explain(config, "CONNECT", "/api/tasks");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).containsPattern("(?m)^decision +refused before the policy: 400 bad_request");
    }

    @Test
    void theUpstreamsOwnAbsoluteUrlIsAGatewayRequest() throws IOException {
        Path config = write("p.yaml", policy("enforce", false));

        CliResult result = explain(config, "GET", "https://central.example.org:443/api/tasks");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).containsPattern("(?m)^  listener +gateway ");
    }

    @Test
    void anAmbiguousPathIsA400() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult result = explain(config, "GET", "/api%2Fadmin");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out())
                .containsPattern("(?m)^decision +refused before the policy: 400 bad_request")
                .containsPattern("(?m)^  reason +the path contains an encoded '/' \\(%2F\\)")
                .containsPattern("(?m)^  policy +not consulted$");
    }

    @Test
    void aLowerCaseMethodIsUsedAsGivenWithAWarning() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));

        CliResult result = explain(config, "get", "/api/tasks");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("sluice: warning: method 'get' is not upper case");
        assertThat(result.out()).contains("- method get is not in methods [GET, POST]");
    }

    @Test
    void badArgumentsAndConfigsAreUsageErrors() throws IOException {
        Path config = write("p.yaml", policy("enforce", true));
        Path invalid = write("bad.yaml", "version: 2\n");

        CliResult ftp = explain(config, "GET", "ftp://example.org/x");
        CliResult noHost = explain(config, "GET", "https:///x");
        CliResult header = explain(config, "GET", "/api/tasks", "-H", "X-Debug 1");
        CliResult method = explain(config, "G T", "/api/tasks");
        CliResult missing = explain(folder.resolve("missing.yaml"), "GET", "/api/tasks");
        CliResult bad = explain(invalid, "GET", "/api/tasks");
        CliResult tooFew = CliResult.execute("policy", "explain", config.toString(), "GET");

        assertThat(ftp.exitCode()).isEqualTo(2);
        assertThat(ftp.err()).startsWith("sluice: URL: 'ftp://example.org/x' is neither a path nor an http(s) URL");
        assertThat(noHost.exitCode()).isEqualTo(2);
        assertThat(noHost.err()).contains("has no host");
        assertThat(header.exitCode()).isEqualTo(2);
        assertThat(header.err()).startsWith("sluice: -H: header 'X-Debug 1' has no ':'");
        assertThat(method.exitCode()).isEqualTo(2);
        assertThat(method.err()).startsWith("sluice: METHOD 'G T' is not an HTTP method");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read config").contains("no such file");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains(invalid + ":1:10: version '2' is not supported");
        assertThat(tooFew.exitCode()).isEqualTo(2);
        for (CliResult result : List.of(ftp, noHost, header, method, missing, bad)) {
            assertThat(result.out()).isEmpty();
        }
    }

    @Test
    void anUpstreamThatCanNeverBeReachedIsAConfigErrorNotAnAllow() throws IOException {
        Path config = write("p.yaml", policy("enforce", true).replace("https://central.example.org",
                "http://10.20.0.5:8080"));

        CliResult result = explain(config, "GET", "/api/tasks");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo(config + ":6:13: gateway.upstream: 10.20.0.5 is a private (RFC 1918) "
                + "address (10.0.0.0/8), which Sluice never connects to unless allowPrivate admits it, so every "
                + "request would get 502 upstream_failed; set allowPrivate: [10.20.0.5/32] (or a block that holds "
                + "it) to allow it" + System.lineSeparator());
        assertThat(result.out()).isEmpty();

        Path admitted = write("admitted.yaml", Files.readString(config) + "allowPrivate: [10.20.0.0/16]\n");
        CliResult allowed = explain(admitted, "GET", "/api/tasks");
        assertThat(allowed.exitCode()).as(allowed.err()).isZero();
        assertThat(allowed.out()).contains("allow (forwarded to http://10.20.0.5:8080)");
    }

    /** A forward-only config (no gateway) is linted and explained like any other; a bare path names nothing. */
    @Test
    void aForwardOnlyConfigExplainsAbsoluteUrlsAndRefusesABarePath() throws IOException {
        Path config = write("forward-only.yaml", """
                version: 1
                forward: {listen: 127.0.0.1:3128}
                audit: {path: audit.jsonl}
                rules:
                  - name: files
                    methods: [GET]
                    hosts: [files.example.org]
                    paths: ["/data/**"]
                """);

        CliResult allowed = explain(config, "GET", "http://files.example.org/data/x");
        CliResult path = explain(config, "GET", "/data/x");
        CliResult lint = CliResult.execute("policy", "lint", "--strict", config.toString());

        assertThat(allowed.exitCode()).as(allowed.err()).isZero();
        assertThat(allowed.out()).containsPattern("(?m)^  listener +forward proxy \\(to http://files.example.org:80\\)$")
                .containsPattern("(?m)^decision +allow");
        assertThat(path.exitCode()).isEqualTo(2);
        assertThat(path.err()).contains("this config has no gateway, so a path alone names no destination");
        assertThat(lint.exitCode()).as(lint.out() + lint.err()).isZero();
    }

    private CliResult explain(Path config, String method, String url, String... options) {
        List<String> args = new ArrayList<>(List.of("policy", "explain", config.toString(), method, url));
        args.addAll(List.of(options));
        return CliResult.execute(args.toArray(String[]::new));
    }

    /** Line numbers matter: central-api starts at 16:5, uploads at 23:5, pypi at 27:5. */
    private static String policy(String mode, boolean allowNetworkAccess) {
        return String.join("\n",
                "version: 1",
                "mode: " + mode,
                "allowNetworkAccess: " + allowNetworkAccess,
                "gateway:",
                "  listen: 127.0.0.1:8080",
                "  upstream: https://central.example.org",
                "limits:",
                "  maxRequestBodyBytes: 1MiB",
                "  maxResponseBodyBytes: 64MiB",
                "  maxUrlBytes: 64",
                "  maxHeaderBytes: 100",
                "audit:",
                "  path: audit.jsonl",
                "rules:",
                "  # the central server's API",
                "  - name: central-api",
                "    methods: [GET, POST]",
                "    paths: [\"/api/**\"]",
                "    query: [limit, offset]",
                "    headers: [X-Request-Tag]",
                "    limits: {maxRequestBodyBytes: 10MiB}",
                "",
                "  - name: uploads",
                "    methods: [PUT]",
                "    paths: [\"/api/uploads/*\"]",
                "    mode: report",
                "  - name: pypi",
                "    methods: [GET]",
                "    paths: [\"/simple/**\"]",
                "    hosts: [pypi.org]",
                "    ports: [443]",
                "    schemes: [https]",
                "  - name: pypi-tunnel",
                "    methods: [CONNECT]",
                "    hosts: [pypi.org]",
                "    ports: [443]",
                "");
    }

    @Test
    void aBodyIsCheckedByTheRulesContentChecksAndNeverQuotedBack() throws IOException {
        Path config = write("content.yaml", String.join("\n",
                "version: 1",
                "gateway:",
                "  listen: 127.0.0.1:8080",
                "  upstream: https://central.example.org",
                "audit:",
                "  path: audit.jsonl",
                "rules:",
                "  - name: results",
                "    methods: [POST]",
                "    paths: [/api/results]",
                "    limits: {maxRequestBodyBytes: 64}",
                "    content:",
                "      types: [application/json]",
                "      json: {maxNumbers: 2}",
                "  - name: reported",
                "    methods: [POST]",
                "    paths: [/api/trial]",
                "    content: {types: [application/json], mode: report}",
                ""));
        Path good = Files.writeString(folder.resolve("good.json"), "{\"mean\": 4.2, \"count\": 12}");
        Path table = Files.writeString(folder.resolve("table.json"), "[4.2, 12, 77.125]");
        Path big = Files.write(folder.resolve("big.bin"), new byte[65]);

        CliResult passes = CliResult.execute("policy", "explain", config.toString(), "POST", "/api/results",
                "-H", "Content-Type: application/json", "--body", good.toString());
        CliResult refused = CliResult.execute("policy", "explain", config.toString(), "POST", "/api/results",
                "-H", "Content-Type: application/json", "--body", table.toString());
        CliResult reported = CliResult.execute("policy", "explain", config.toString(), "POST", "/api/trial",
                "-H", "Content-Type: text/plain", "--body", table.toString());
        CliResult tooLarge = CliResult.execute("policy", "explain", config.toString(), "POST", "/api/results",
                "--body", big.toString());
        CliResult unreadable = CliResult.execute("policy", "explain", config.toString(), "POST", "/api/results",
                "--body", folder.resolve("missing.json").toString());

        assertThat(passes.exitCode()).as(passes.out() + passes.err()).isZero();
        assertThat(passes.out()).containsPattern("(?m)^content +passed every check of rule results$");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.out())
                .containsPattern("(?m)^decision +content_refused \\(403: the rule allows the request")
                .containsPattern("(?m)^content +refused: 403 content_refused by check json$")
                .containsPattern("(?m)^  reason +.*maxNumbers.*$")
                .doesNotContain("77.125");
        assertThat(reported.exitCode()).isZero();
        assertThat(reported.out()).containsPattern("(?m)^content +would be refused, reported only \\(mode report\\): "
                + "types$");
        assertThat(tooLarge.exitCode()).isEqualTo(1);
        assertThat(tooLarge.out()).containsPattern("(?m)^decision +refused: 413 body_too_large");
        assertThat(unreadable.exitCode()).isEqualTo(2);
        assertThat(unreadable.err()).startsWith("sluice: --body: cannot read ");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(folder.resolve(name), text, StandardCharsets.UTF_8);
    }
}
