package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice import vantage6}: node configs with a whitelist block in, Sluice forward rules out. The rules are
 * checked by running them: the output, under a minimal config header, is linted and put through {@code policy
 * test} with the requests the node's Squid allowed and refused.
 */
class ImportVantage6CommandTest {

    /** The example of vantage6's whitelisting documentation (docs/features/node/whitelisting.rst). */
    private static final String DOCUMENTED = """
            api_key: not-a-real-key
            server_url: https://cotopaxi.vantage6.ai
            port: 443
            api_path: ''
            algorithm_env:
              player: Alice
            whitelist:
              domains:
                - .google.com
                - github.com
                - host.docker.internal # docker host ip (windows/mac)
              ips:
                - 172.17.0.1 # docker bridge ip (linux)
                - 8.8.8.8
              ports:
                - 443
            """;

    private static final String HEADER = """
            version: 1
            gateway:
              listen: 127.0.0.1:0
              upstream: http://proxyserver:8080
            forward:
              listen: 127.0.0.1:3128
            audit:
              path: audit.jsonl
            """;

    @TempDir
    Path dir;

    @Test
    void documentedWhitelistBecomesForwardRules() throws IOException {
        CliResult result = CliResult.execute("import", "vantage6", write("node.yaml", DOCUMENTED).toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out())
                .contains("hosts: [\"google.com\", \"*.google.com\", \"github.com\", \"host.docker.internal\", "
                        + "\"172.17.0.1\", \"8.8.8.8\"]")
                .contains("ports: [443]")
                .contains("allowPrivate:", "  - \"172.17.0.1/32\"")
                .doesNotContain("8.8.8.8/32")
                .contains("methods: [GET, HEAD]", "methods: [CONNECT]")
                .contains("Where Sluice is stricter than Squid");
        assertThat(result.out().lines().filter(line -> line.startsWith("#"))).allMatch(line -> line.length() <= 100);
    }

    @Test
    void importedRulesAllowWhatSquidAllowedAndNoMore() throws IOException {
        CliResult imported = CliResult.execute("import", "vantage6", write("node.yaml", DOCUMENTED).toString());
        Path policy = write("sluice.yaml", HEADER + imported.out());
        Path cases = write("cases.yaml", """
                cases:
                  - {name: a subdomain of a leading-dot domain, request: "CONNECT maps.google.com:443",
                     expect: allow, rule: vantage6-whitelist-tunnel}
                  - {name: the leading-dot domain itself, request: "CONNECT google.com:443", expect: allow}
                  - {name: a domain without a dot is exact, request: "CONNECT api.github.com:443", expect: deny}
                  - {name: the exact domain, request: "CONNECT github.com:443", expect: allow}
                  - {name: a look-alike, request: "CONNECT google.com.evil.net:443", expect: deny}
                  - {name: a port not whitelisted, request: "CONNECT github.com:22", expect: deny}
                  - {name: a whitelisted IP, request: "CONNECT 8.8.8.8:443", expect: allow}
                  - {name: another IP, request: "CONNECT 8.8.4.4:443", expect: deny}
                  - {name: plain HTTP GET, request: "GET http://github.com:443/repo", expect: allow,
                     rule: vantage6-whitelist-http}
                  - {name: plain HTTP POST (Squid allowed it), request: "POST http://github.com:443/repo",
                     expect: deny}
                """);

        CliResult lint = CliResult.execute("policy", "lint", policy.toString());
        assertThat(lint.exitCode()).as(lint.out() + lint.err()).isZero();
        assertThat(lint.out()).doesNotContain(": error: ");
        CliResult test = CliResult.execute("policy", "test", policy.toString(), cases.toString());
        assertThat(test.exitCode()).as(test.out() + test.err()).isZero();
        assertThat(test.out()).contains("10 cases, 10 passed, 0 failed");
    }

    @Test
    void entriesSluiceCannotExpressAreListedAndTheRestIsPrinted() throws IOException {
        Path config = write("node.yaml", """
                whitelist:
                  domains: [data.example.org, "bad domain", .]
                  ips: [10.0.0.0/24, 10.1.0.1-10.1.0.9, db.internal, 10.2.0.7/32, "fd00::7"]
                  ports: [80, 8000-8080, 70000]
                """);

        CliResult result = CliResult.execute("import", "vantage6", config.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("hosts: [\"data.example.org\", \"10.2.0.7\", \"fd00::7\"]")
                .contains("ports: [80]").contains("  - \"10.2.0.7/32\"", "  - \"fd00::7/128\"");
        assertThat(result.err().lines()).allMatch(line -> line.startsWith("not mapped: whitelist."))
                .anyMatch(line -> line.contains("'bad domain'"))
                .anyMatch(line -> line.contains("'.'"))
                .anyMatch(line -> line.contains("'10.0.0.0/24': a block of addresses"))
                .anyMatch(line -> line.contains("'10.1.0.1-10.1.0.9': an address range"))
                .anyMatch(line -> line.contains("'db.internal'") && line.contains("put names under domains"))
                .anyMatch(line -> line.contains("'8000-8080'") && line.contains("a range"))
                .anyMatch(line -> line.contains("'70000': not a port"))
                .hasSize(7);
    }

    @Test
    void withoutPortsThereAreNoRules() throws IOException {
        CliResult result = CliResult.execute("import", "vantage6",
                write("node.yaml", "whitelist:\n  domains: [github.com]\n").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("rules: []").doesNotContain("methods:");
        assertThat(result.err()).contains("no port (Squid then allows nothing)");
    }

    @Test
    void olderConfigShapesAreRead() throws IOException {
        CliResult application = CliResult.execute("import", "vantage6", write("app.yaml", """
                application:
                  whitelist: {domains: [github.com], ports: [443]}
                """).toString());
        assertThat(application.exitCode()).as(application.err()).isZero();
        assertThat(application.out()).contains("application.whitelist block", "hosts: [\"github.com\"]");

        Path environments = write("envs.yaml", """
                environments:
                  dev: {whitelist: {domains: [dev.example.org], ports: [443]}}
                  prod: {whitelist: {domains: [prod.example.org], ports: [443]}}
                """);
        CliResult ambiguous = CliResult.execute("import", "vantage6", environments.toString());
        assertThat(ambiguous.exitCode()).isEqualTo(2);
        assertThat(ambiguous.err()).contains("choose one with --environment");
        CliResult prod = CliResult.execute("import", "vantage6", "--environment", "prod", environments.toString());
        assertThat(prod.exitCode()).as(prod.err()).isZero();
        assertThat(prod.out()).contains("hosts: [\"prod.example.org\"]").doesNotContain("dev.example.org");
    }

    @Test
    void configErrorsExitTwo() throws IOException {
        assertUsageError(write("none.yaml", "api_key: x\n"), "no whitelist block");
        assertUsageError(write("list.yaml", "- a\n- b\n"), "expected a mapping");
        assertUsageError(write("broken.yaml", "whitelist: [unclosed\n"), "not YAML");
        assertUsageError(write("key.yaml", "whitelist: {domain: [github.com]}\n"),
                "whitelist.domain: unknown key");
        assertUsageError(write("type.yaml", "whitelist: {ports: 443}\n"), "whitelist.ports must be a list");
        assertUsageError(dir.resolve("missing.yaml"), "cannot read");
    }

    @Test
    void helpSaysWhatItDoesAndItsExitCodes() {
        CliResult result = CliResult.execute("import", "vantage6", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("whitelist", "leading dot", "Exit codes:",
                "some entries could not be mapped");
        CliResult bare = CliResult.execute("import");
        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).contains("missing what to import (vantage6)");
    }

    private void assertUsageError(Path config, String message) {
        CliResult result = CliResult.execute("import", "vantage6", config.toString());
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(message);
        assertThat(result.out()).isEmpty();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
