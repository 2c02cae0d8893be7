package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLintCommandTest {

    private static final String HEAD = String.join("\n",
            "version: 1",
            "gateway:",
            "  listen: 127.0.0.1:8080",
            "  upstream: https://central.example.org",
            "audit:",
            "  path: audit.jsonl",
            "");

    @TempDir
    Path folder;

    @Test
    void aCleanPolicyIsOkWithItsRuleCount() throws IOException {
        Path config = write("clean.yaml", HEAD + String.join("\n",
                "rules:",
                "  - name: central-api",
                "    methods: [GET, POST]",
                "    paths: [\"/api/**\"]",
                "  - name: health",
                "    methods: [GET]",
                "    paths: [/healthz]",
                ""));

        CliResult result = CliResult.execute("policy", "lint", "--strict", config.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(config + ": ok (2 rules)" + System.lineSeparator());
        assertThat(result.err()).isEmpty();
    }

    @Test
    void warningsArePositionedAndPassWithoutStrict() throws IOException {
        Path config = write("warn.yaml", warningConfig());

        CliResult result = CliResult.execute("policy", "lint", config.toString());

        assertThat(result.exitCode()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith(config + ":10:12: warning: rule 'everything' allows every path");
        assertThat(lines.get(1)).startsWith(config + ":11:5: warning: rule 'shadowed' can never match: "
                + "rule 'everything' at line 8 comes first");
        assertThat(lines.get(2)).isEqualTo(config + ": 0 errors, 2 warnings");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void strictTurnsWarningsIntoAFailedCheck() throws IOException {
        Path config = write("warn.yaml", warningConfig());

        CliResult result = CliResult.execute("policy", "lint", config.toString(), "--strict");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out().lines().filter(line -> line.contains(": warning: "))).hasSize(2);
        assertThat(result.out()).endsWith(config + ": 0 errors, 2 warnings (--strict: warnings fail)"
                + System.lineSeparator());
    }

    @Test
    void errorsArePrintedOnePerLineWithPositionsAndFail() throws IOException {
        Path config = write("bad.yaml", String.join("\n",
                "version: 1",
                "gateway:",
                "  listen: 127.0.0.1:8080",
                "  upstream: https://central.example.org",
                "  colour: blue",
                "audit:",
                "  path: audit.jsonl",
                "rules:",
                "  - name: a",
                "    methods: [GET]",
                "    paths: [\"api/**\"]",
                ""));

        CliResult result = CliResult.execute("policy", "lint", config.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith(config + ":5:3: error: unknown key 'colour' under gateway");
        assertThat(lines.get(1)).startsWith(config + ":11:13: error: rules[0].paths: bad path glob 'api/**'");
        assertThat(lines.subList(0, 2)).allMatch(line -> line.matches(Pattern.quote(config.toString())
                + ":\\d+:\\d+: error: .+"));
        assertThat(lines.get(2)).startsWith(config + ": 2 errors");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void anUpstreamThatCanNeverBeReachedIsAPositionedErrorNamingAllowPrivate() throws IOException {
        Path config = write("unreachable.yaml", HEAD.replace("https://central.example.org", "http://169.254.169.254"));

        CliResult result = CliResult.execute("policy", "lint", config.toString());

        assertThat(result.exitCode()).as("an error, as every config error in lint").isEqualTo(1);
        assertThat(result.out().lines().toList()).containsExactly(
                config + ":4:13: error: gateway.upstream: 169.254.169.254 is the cloud metadata service, a link-local "
                        + "address (169.254.169.254/32), which Sluice never connects to unless allowPrivate admits "
                        + "it, so every request would get 502 upstream_failed; set allowPrivate: [169.254.169.254/32] "
                        + "(or a block that holds it) to allow it",
                config + ": 1 error (warnings are checked once the file is valid)");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void malformedYamlIsAnErrorToo() throws IOException {
        Path config = write("broken.yaml", "version: 1\ngateway: [\n");

        CliResult result = CliResult.execute("policy", "lint", config.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith(config + ":3:1: error: malformed YAML");
    }

    @Test
    void aMissingFileIsNotACheckButAnError() {
        Path missing = folder.resolve("missing.yaml");

        CliResult result = CliResult.execute("policy", "lint", missing.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("sluice: cannot read config " + missing + ": no such file"
                + System.lineSeparator());
        assertThat(result.out()).isEmpty();
    }

    @Test
    void aFolderCannotBeLinted() {
        CliResult result = CliResult.execute("policy", "lint", folder.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice: cannot read config " + folder + ": ");
    }

    @Test
    void withoutAFileItIsAUsageError() {
        CliResult result = CliResult.execute("policy", "lint");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Missing required parameter: 'FILE'");
    }

    private static String warningConfig() {
        return HEAD + String.join("\n",
                "rules:",
                "  - name: everything",
                "    methods: [GET]",
                "    paths: [\"/**\"]",
                "  - name: shadowed",
                "    methods: [GET]",
                "    paths: [\"/api/**\"]",
                "");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(folder.resolve(name), text, StandardCharsets.UTF_8);
    }
}
