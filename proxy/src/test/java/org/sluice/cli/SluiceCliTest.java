package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SluiceCliTest {

    @Test
    void helpListsTheCommandsAndExitCodes() {
        CliResult result = CliResult.execute("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .startsWith("Usage: sluice")
                .containsPattern("(?m)^\\s+run\\s+Run the proxy")
                .containsPattern("(?m)^\\s+demo\\s+Show Sluice")
                .containsPattern("(?m)^\\s+policy\\s+Check a policy")
                .containsPattern("(?m)^\\s+audit\\s+Work with the audit log")
                .containsPattern("(?m)^\\s+inject\\s+Add Sluice to the pods")
                .containsPattern("(?m)^\\s+webhook\\s+Serve sluice inject as a Kubernetes")
                .containsPattern("(?m)^\\s+fingerprint\\s+Build and inspect a salted fingerprint index")
                .contains("Exit codes:");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void onlyTheDocumentedCommandsExist() {
        assertThat(SluiceCli.commandLine().getSubcommands()).containsOnlyKeys("run", "demo", "policy", "audit",
                "health", "inject", "webhook", "import", "fingerprint");
        assertThat(SluiceCli.commandLine().getSubcommands().get("policy").getSubcommands())
                .containsOnlyKeys("lint", "explain", "test", "check-image");
        assertThat(SluiceCli.commandLine().getSubcommands().get("audit").getSubcommands())
                .containsOnlyKeys("verify", "summary", "tail", "keygen");
        assertThat(SluiceCli.commandLine().getSubcommands().get("import").getSubcommands())
                .containsOnlyKeys("vantage6");
        assertThat(SluiceCli.commandLine().getSubcommands().get("fingerprint").getSubcommands())
                .containsOnlyKeys("build", "stats");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"run", "demo", "policy", "policy lint", "policy explain", "policy test",
                "policy check-image", "audit", "audit keygen",
                "audit verify", "audit summary", "audit tail", "inject", "webhook", "import", "import vantage6",
                "fingerprint", "fingerprint build", "fingerprint stats"}) {
            String[] args = (command + " --help").split(" ");
            CliResult result = CliResult.execute(args);

            assertThat(result.exitCode()).as(command).isZero();
            assertThat(result.out()).as(command).startsWith("Usage: sluice " + command).contains("Exit codes:");
        }
    }

    @Test
    void theCommandsTableNamesEachCommandAsItsAnnotationDoes() {
        for (var command : SluiceCli.COMMANDS.entrySet()) {
            assertThat(command.getValue().getAnnotation(picocli.CommandLine.Command.class).name())
                    .isEqualTo(command.getKey());
        }
        assertThat(SluiceCli.commandLine().getSubcommands().keySet())
                .containsExactlyElementsOf(SluiceCli.COMMANDS.keySet());
    }

    @Test
    void aNamedCommandIsTheOnlyOneBuilt() {
        assertThat(SluiceCli.commandLine("run", "--config", "x.yaml").getSubcommands()).containsOnlyKeys("run");
        assertThat(SluiceCli.commandLine("policy", "lint", "x.yaml").getSubcommands()).containsOnlyKeys("policy");
        assertThat(SluiceCli.commandLine("policy").getSubcommands().get("policy").getSubcommands())
                .containsOnlyKeys("lint", "explain", "test", "check-image");
        assertThat(SluiceCli.commandLine().getSubcommands()).hasSameSizeAs(SluiceCli.COMMANDS);
        for (String[] args : new String[][] {{}, {"--help"}, {"-V"}, {"frobnicate"}, {"Run"}}) {
            assertThat(SluiceCli.commandLine(args).getSubcommands()).as(String.join(" ", args))
                    .hasSameSizeAs(SluiceCli.COMMANDS);
        }
    }

    @Test
    void withOnlyTheNamedCommandMainAnswersAsWithThemAll() {
        for (String args : new String[] {"run --help", "run", "run --config", "run --bogus", "run -V",
                "run --config /nonexistent/sluice.yaml", "demo --fast", "policy", "policy --help",
                "policy lint --help", "policy frobnicate x.yaml", "audit verify", "health --help", "inject --help",
                "webhook --help", "import vantage6 --help", "fingerprint stats --help"}) {
            String[] split = args.split(" ");
            CliResult all = CliResult.execute(SluiceCli.commandLine(), split);
            CliResult one = CliResult.execute(SluiceCli.commandLine(split), split);

            assertThat(one).as(args).isEqualTo(all);
        }
    }

    @Test
    void versionNamesSluiceAndTheJava() {
        CliResult result = CliResult.execute("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("sluice ").contains("Java " + System.getProperty("java.version"));
    }

    @Test
    void noCommandIsAUsageError() {
        CliResult result = CliResult.execute();

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice: missing command").contains("Usage: sluice");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void unknownCommandOrOptionIsAUsageError() {
        assertThat(CliResult.execute("policy", "frobnicate", "x.yaml").exitCode()).isEqualTo(2);
        assertThat(CliResult.execute("policy", "lint", "--fast", "x.yaml").exitCode()).isEqualTo(2);
        assertThat(CliResult.execute("demo", "--fast").exitCode()).isEqualTo(2);
    }

    @Test
    void policyWithoutASubcommandIsAUsageError() {
        CliResult result = CliResult.execute("policy");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice policy: missing command").contains("Usage: sluice policy");
    }

    @Test
    void runWithoutConfigIsAUsageError() {
        CliResult result = CliResult.execute("run");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Missing required option: '--config=FILE'");
    }

    @Test
    void durationsReadLikeTheConfigSyntax() {
        assertThat(Durations.format(java.time.Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(Durations.format(java.time.Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(java.time.Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(Durations.format(java.time.Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(java.time.Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Durations.format(java.time.Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(java.time.Duration.ofHours(1))).isEqualTo("1h");
        assertThat(Durations.format(java.time.Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void sizesUseTheLargestUnitThatIsExact() {
        assertThat(Sizes.format(0)).isEqualTo("0 B");
        assertThat(Sizes.format(1023)).isEqualTo("1023 B");
        assertThat(Sizes.format(64 << 10)).isEqualTo("64 KiB");
        assertThat(Sizes.format((1 << 20) + 1024)).isEqualTo("1025 KiB");
        assertThat(Sizes.format(1 << 20)).isEqualTo("1 MiB");
        assertThat(Sizes.format(5L << 40)).isEqualTo("5120 GiB");
    }

    @Test
    void ipv6AddressesKeepTheirPortUnambiguous() throws Exception {
        java.net.InetAddress v6 = java.net.InetAddress.getByName("::1");
        java.net.InetAddress v4 = java.net.InetAddress.getByName("127.0.0.1");

        assertThat(Addresses.format(new java.net.InetSocketAddress(v6, 8080))).isEqualTo("[0:0:0:0:0:0:0:1]:8080");
        assertThat(Addresses.format(new java.net.InetSocketAddress(v4, 8080))).isEqualTo("127.0.0.1:8080");
        assertThat(Addresses.format(new org.sluice.policy.config.ListenAddress("::1", 9090))).isEqualTo("[::1]:9090");
    }
}
