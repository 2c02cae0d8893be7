package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every policy in examples/ lints clean under --strict and passes its own cases file, examples/X-cases.yaml; a
 * policy without a cases file fails, so that no example ships untested.
 */
class ExamplePoliciesTest {

    private static final String CASES_SUFFIX = "-cases.yaml";

    @Test
    void thereAreExamplesToCheck() throws IOException {
        assertThat(policies()).extracting(p -> p.getFileName().toString()).contains("gateway.yaml");
    }

    @TestFactory
    Stream<DynamicTest> everyExamplePolicyLintsClean() throws IOException {
        return policies().stream().map(policy -> DynamicTest.dynamicTest(policy.getFileName().toString(), () -> {
            CliResult result = CliResult.execute("policy", "lint", policy.toString());

            assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
            assertThat(result.out()).doesNotContain(": error: ");
            // Examples with forward-listener rules have a forward section, so no warning is excused.
            assertThat(result.out()).doesNotContain(": warning: ");
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyExamplePolicyPassesItsCases() throws IOException {
        return policies().stream().map(policy -> DynamicTest.dynamicTest(policy.getFileName().toString(), () -> {
            Path cases = casesFor(policy);
            assertThat(cases).as("every example policy needs a cases file").isRegularFile();

            CliResult result = CliResult.execute("policy", "test", policy.toString(), cases.toString());

            assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
            assertThat(result.out()).doesNotContain("FAIL").containsPattern("(?m)^(\\d+) cases, \\1 passed, 0 failed$");
        }));
    }

    @Test
    void everyCasesFileBelongsToAPolicy() throws IOException {
        try (Stream<Path> files = Files.list(examples())) {
            List<Path> orphans = files.filter(f -> f.getFileName().toString().endsWith(CASES_SUFFIX))
                    .filter(f -> !Files.isRegularFile(policyFor(f)))
                    .toList();
            assertThat(orphans).isEmpty();
        }
    }

    private static List<Path> policies() throws IOException {
        try (Stream<Path> files = Files.list(examples())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().endsWith(CASES_SUFFIX))
                    .sorted()
                    .toList();
        }
    }

    private static Path casesFor(Path policy) {
        String name = policy.getFileName().toString();
        return policy.resolveSibling(name.substring(0, name.length() - ".yaml".length()) + CASES_SUFFIX);
    }

    private static Path policyFor(Path cases) {
        String name = cases.getFileName().toString();
        return cases.resolveSibling(name.substring(0, name.length() - CASES_SUFFIX.length()) + ".yaml");
    }

    /** The project's examples/ folder: tests run in proxy/, so look there and upwards. */
    private static Path examples() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path examples = dir.resolve("examples");
            if (Files.isDirectory(examples) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return examples;
            }
        }
        throw new AssertionError("no examples/ folder next to a pom.xml in " + Path.of("").toAbsolutePath()
                + " or above");
    }
}
