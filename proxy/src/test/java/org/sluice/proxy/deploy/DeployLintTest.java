package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * shellcheck on every {@code deploy/**}{@code /*.sh}, the {@code sluice} launcher and {@code .ci/run}; yamllint (with
 * the repository's {@code .yamllint}) on every {@code deploy/**}{@code /*.yaml} and {@code *.yml}: whatever exists
 * when the test runs. Each skips, saying so, when its tool is not installed ({@code .ci/run} installs both as root).
 * Each also lints a file with a known mistake first, so that a lint that cannot fail is caught.
 */
class DeployLintTest {

    private static final long TIMEOUT_SECONDS = 60;

    private final Path root = repositoryRoot();

    @Test
    void shellScriptsPassShellcheck(@TempDir Path scratch) throws Exception {
        String shellcheck = requireTool("shellcheck", "shellcheck");
        Path broken = scratch.resolve("broken.sh");
        Files.writeString(broken, "#!/usr/bin/env bash\nrm -rf $1/*\n");
        assertThat(run(List.of(shellcheck, broken.toString())).exitCode)
                .as("control: shellcheck flags an unquoted variable").isNotZero();

        List<String> scripts = new ArrayList<>(files("deploy", ".sh"));
        scripts.addAll(List.of("sluice", ".ci/run"));
        assertThat(scripts).as("deploy/init/sluice-init.sh at least").contains("deploy/init/sluice-init.sh");
        List<String> command = new ArrayList<>(List.of(shellcheck, "--format=gcc"));
        command.addAll(scripts);
        Result result = run(command);
        assertThat(result.exitCode).as("shellcheck %s%n%s", String.join(" ", scripts), result.output).isZero();
    }

    @Test
    void deployYamlPassesYamllint(@TempDir Path scratch) throws Exception {
        String yamllint = requireTool("yamllint", "yamllint");
        Path config = root.resolve(".yamllint");
        assertThat(config).isRegularFile();
        Path broken = scratch.resolve("broken.yaml");
        Files.writeString(broken, "key: 1\nkey: 2\n");
        assertThat(run(List.of(yamllint, "-c", config.toString(), broken.toString())).exitCode)
                .as("control: yamllint flags a duplicate key").isNotZero();

        List<String> yaml = new ArrayList<>(files("deploy", ".yaml"));
        yaml.addAll(files("deploy", ".yml"));
        Assumptions.assumeFalse(yaml.isEmpty(), "no YAML under deploy/ yet: nothing for yamllint to check");
        List<String> command = new ArrayList<>(List.of(yamllint, "-f", "parsable", "-c", config.toString()));
        command.addAll(yaml);
        Result result = run(command);
        assertThat(result.exitCode).as("yamllint %s%n%s", String.join(" ", yaml), result.output).isZero();
    }

    /** Files under {@code folder} whose names end with {@code suffix}, relative to the repository root, sorted. */
    private List<String> files(String folder, String suffix) throws IOException {
        Path start = root.resolve(folder);
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(start)) {
            return walk.filter(Files::isRegularFile).filter(file -> file.getFileName().toString().endsWith(suffix))
                    .map(file -> root.relativize(file).toString()).sorted().toList();
        }
    }

    private static String requireTool(String name, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin";
        Optional<Path> found = Arrays.stream(path.split(":")).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(found.isPresent(),
                () -> name + " not installed, lint skipped (Debian: apt-get install " + debianPackage + ")");
        return found.get().toString();
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        // Lint output is small; read it all, then wait (bounded) for the exit code.
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Result(process.exitValue(), output);
    }

    /** proxy/target/test-classes, three levels up. */
    private static Path repositoryRoot() {
        try {
            Path testClasses = Path.of(DeployLintTest.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            return testClasses.getParent().getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Result(int exitCode, String output) {}
}
