package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckImageCommandTest {

    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);
    private static final String NL = System.lineSeparator();
    /** Surefire runs in the module folder; the example is the one users start from. */
    private static final Path EXAMPLE = Path.of("../examples/gateway.yaml");

    @TempDir
    Path folder;

    private Path policy(String algorithms) throws IOException {
        return Files.writeString(folder.resolve("policy.yaml"), """
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                """ + algorithms, StandardCharsets.UTF_8);
    }

    private Path pinnedPolicy() throws IOException {
        return policy("""
                algorithms:
                  - image: harbor.example.org/algorithms/average@%s
                  - pattern: 'harbor\\.example\\.org/tools/[a-z-]+'
                """.formatted(D1));
    }

    @Test
    void anAllowedImageExitsZeroAndNamesTheEntry() throws IOException {
        Path policy = pinnedPolicy();

        CliResult result = CliResult.execute("policy", "check-image", policy.toString(),
                "harbor.example.org/algorithms/average:1.4@" + D1);

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("allowed: harbor.example.org/algorithms/average:1.4@" + D1
                + " (entry at " + policy + ":5:5: image: harbor.example.org/algorithms/average@" + D1 + ")" + NL);
        assertThat(result.err()).isEmpty();
    }

    @Test
    void aPatternEntryIsNamedWithItsPosition() throws IOException {
        Path policy = pinnedPolicy();

        CliResult result = CliResult.execute("policy", "check-image", policy.toString(),
                "harbor.example.org/tools/summary@" + D2);

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("allowed: harbor.example.org/tools/summary@" + D2 + " (entry at "
                + policy + ":6:5: pattern: harbor\\.example\\.org/tools/[a-z-]+)" + NL);
    }

    @Test
    void aDeniedImageExitsOneWithTheReason() throws IOException {
        Path policy = pinnedPolicy();

        CliResult otherDigest = CliResult.execute("policy", "check-image", policy.toString(),
                "harbor.example.org/algorithms/average@" + D2);
        CliResult noDigest = CliResult.execute("policy", "check-image", policy.toString(), "ubuntu");
        CliResult lookAlike = CliResult.execute("policy", "check-image", policy.toString(),
                "harbor.example.org.evil.net/tools/summary@" + D1);

        assertThat(otherDigest.exitCode()).isEqualTo(1);
        assertThat(otherDigest.out()).isEqualTo("denied: harbor.example.org/algorithms/average@" + D2
                + ": entry at " + policy + ":5:5 (image: harbor.example.org/algorithms/average@" + D1 + ") allows "
                + "harbor.example.org/algorithms/average only with digest " + D1 + ", and the reference has digest "
                + D2 + NL);
        assertThat(otherDigest.err()).isEmpty();
        assertThat(noDigest.exitCode()).isEqualTo(1);
        assertThat(noDigest.out()).startsWith("denied: docker.io/library/ubuntu:latest: the reference has no digest");
        assertThat(lookAlike.exitCode()).isEqualTo(1);
        assertThat(lookAlike.out()).isEqualTo("denied: harbor.example.org.evil.net/tools/summary@" + D1
                + ": no entry in the algorithms list allows harbor.example.org.evil.net/tools/summary" + NL);
    }

    @Test
    void anInvalidImageIsADenialThatSaysWhy() throws IOException {
        CliResult result = CliResult.execute("policy", "check-image", pinnedPolicy().toString(),
                "Harbor.example.org/algorithms/average");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("denied: Harbor.example.org/algorithms/average: not a valid image "
                + "reference: registry host 'Harbor.example.org' has upper-case letters; expected it in lower-case, "
                + "'harbor.example.org'" + NL);
    }

    @Test
    void withoutAnAlgorithmsSectionEveryImageIsDenied() throws IOException {
        CliResult result = CliResult.execute("policy", "check-image", policy("").toString(), "ubuntu@" + D1);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("denied: docker.io/library/ubuntu@" + D1
                + ": the policy has no algorithms section; no image is allowed" + NL);
    }

    @Test
    void anInvalidPolicyExitsTwoWithEveryProblemPositioned() throws IOException {
        Path policy = policy("""
                algorithms:
                  - image: ubuntu
                    tag: latest
                  - pattern: 'harbor.example.org/[a-z]+'
                """);

        CliResult result = CliResult.execute("policy", "check-image", policy.toString(), "ubuntu@" + D1);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().lines()).hasSize(2)
                .satisfiesExactly(
                        line -> assertThat(line).startsWith(policy + ":6:5: unknown key 'tag'"),
                        line -> assertThat(line).startsWith(policy + ":7:14: algorithms[1].pattern: pattern "
                                + "'harbor.example.org/[a-z]+': the '.' at character 7"));
    }

    @Test
    void anUnreadablePolicyExitsTwo() {
        Path missing = folder.resolve("missing.yaml");

        CliResult result = CliResult.execute("policy", "check-image", missing.toString(), "ubuntu");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("sluice: cannot read config " + missing + ": no such file" + NL);
    }

    @Test
    void missingArgumentsAreAUsageError() throws IOException {
        CliResult noImage = CliResult.execute("policy", "check-image", pinnedPolicy().toString());
        CliResult extra = CliResult.execute("policy", "check-image", pinnedPolicy().toString(), "a", "b");
        CliResult noCommand = CliResult.execute("policy");

        assertThat(noImage.exitCode()).isEqualTo(2);
        assertThat(noImage.err()).contains("Missing required parameter: 'IMAGE'");
        assertThat(noImage.out()).isEmpty();
        assertThat(extra.exitCode()).isEqualTo(2);
        assertThat(noCommand.exitCode()).isEqualTo(2);
        assertThat(noCommand.err()).startsWith("sluice policy: missing command")
                .contains("Usage: sluice policy");
    }

    @Test
    void helpDescribesTheOutputAndExitCodes() {
        CliResult result = CliResult.execute("policy", "check-image", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Usage: sluice policy check-image")
                .contains("FILE", "IMAGE", "allowed: IMAGE (entry at FILE:LINE:COL: ENTRY)", "denied: IMAGE: REASON")
                .contains("Exits 0 when allowed, 1 when denied, 2 when");
        assertThat(CliResult.execute("policy", "--help").out()).startsWith("Usage: sluice policy")
                .containsPattern("(?m)^\\s+check-image\\s+Say whether");
    }

    @Test
    void theExampleGatewayPolicyPinsItsAlgorithms() {
        String average = "harbor.example.org/algorithms/average@sha256:"
                + "fb7a96f1a150db728253f79614b838758f041581f2c69a834a022e2afceef050";
        String kaplanMeier = "harbor.example.org/algorithms/kaplan-meier:2.0.1@sha256:"
                + "90b84b1a11c2c218695220585a66520e0749aac4207aab19839154434cf81639";

        CliResult pinned = CliResult.execute("policy", "check-image", EXAMPLE.toString(), average);
        CliResult reviewed = CliResult.execute("policy", "check-image", EXAMPLE.toString(), kaplanMeier);
        CliResult unreviewed = CliResult.execute("policy", "check-image", EXAMPLE.toString(),
                "harbor.example.org/algorithms/kaplan-meier@" + D1);

        assertThat(pinned.exitCode()).as(pinned.err()).isZero();
        assertThat(pinned.out()).startsWith("allowed: " + average + " (entry at " + EXAMPLE + ":45:7: image: ");
        assertThat(reviewed.exitCode()).isZero();
        assertThat(reviewed.out()).startsWith("allowed: " + kaplanMeier + " (entry at " + EXAMPLE + ":48:7: "
                + "pattern: ");
        assertThat(unreviewed.exitCode()).isEqualTo(1);
    }
}
