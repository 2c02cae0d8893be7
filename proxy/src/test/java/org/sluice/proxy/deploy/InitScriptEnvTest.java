package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * deploy/init/sluice-init.sh refuses a setting it cannot use before it touches iptables. Never runs the script as
 * root: under a root JVM it runs as nobody through setpriv, so a script that failed to refuse would stop at its
 * "must run as root" check instead of changing this machine's rules.
 */
class InitScriptEnvTest {

    private static final Path SCRIPT = RepoFiles.root().resolve("deploy/init/sluice-init.sh");
    private static final int NOBODY = 65534;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SLUICE_PORTS | ''        | SLUICE_PORTS is set but empty",
        "SLUICE_PORTS | '   '     | SLUICE_PORTS is set but empty",
        "SLUICE_PORTS | 8080 0    | SLUICE_PORTS: '0' is not a TCP port (1-65535)",
        "SLUICE_UID   | ''        | SLUICE_UID is set but empty",
        "SLUICE_UID   | 0         | SLUICE_UID must not be 0"})
    void aSettingThatCannotWorkIsRefusedBeforeAnyRule(String name, String value, String message) throws Exception {
        Result result = run(Map.of(name, value));

        assertThat(result.exitCode).as(result.output).isEqualTo(1);
        assertThat(result.output).as("the refusal, not the later root check").contains("sluice-init: " + message)
                .doesNotContain("must run as root");
    }

    private static Result run(Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0) {
            Path setpriv = Path.of("/usr/bin/setpriv");
            Assumptions.assumeTrue(Files.isExecutable(setpriv),
                    "running as root without setpriv (util-linux): the script is never run as root here");
            command.addAll(List.of(setpriv.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY,
                    "--clear-groups", "--"));
        }
        command.addAll(List.of("bash", SCRIPT.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("SLUICE_UID");
        builder.environment().remove("SLUICE_PORTS");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("sluice-init.sh did not finish in 10 s: " + output);
        }
        return new Result(process.exitValue(), output);
    }

    private record Result(int exitCode, String output) {}
}
