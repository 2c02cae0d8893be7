package org.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code sluice} command: {@code run} serves a config file, {@code demo} shows a newcomer what Sluice does,
 * {@code policy} checks a policy without running it, {@code audit} works with the audit log,
 * {@code health} asks a running Sluice whether it is ready (a container health check), {@code inject} adds
 * Sluice to Kubernetes manifests, {@code webhook} does the same at admission, {@code import} turns another tool's
 * egress settings (a vantage6 node's Squid whitelist) into rules, {@code fingerprint} builds and describes the
 * index of a protected data set that content checks will read.
 * Exit codes: 0 ok, 1 a check failed, 2 usage or config error.
 */
@Command(
        name = "sluice",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = SluiceVersion.class,
        usageHelpAutoWidth = true,
        exitCodeOnInvalidInput = SluiceCli.USAGE_OR_CONFIG_ERROR,
        description = "Egress-filtering HTTP proxy for algorithm containers that run next to private data: "
                + "lets through only what the policy allows, refuses oversize bodies, audits every request.",
        subcommands = {RunCommand.class, DemoCommand.class, PolicyCommand.class, AuditCommand.class,
            HealthCommand.class, InjectCommand.class, WebhookCommand.class, ImportCommand.class,
            FingerprintCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:a check failed (demo: an outcome was not the expected one; policy: see its commands; audit verify: "
                    + "the log is damaged; health: not ready; inject: a container was refused; import: an entry "
                    + "could not be mapped; fingerprint stats: the index file is damaged)",
            "2:usage or config error (nothing was started)"})
public final class SluiceCli implements Callable<Integer> {

    static final int OK = 0;
    static final int CHECK_FAILED = 1;
    static final int USAGE_OR_CONFIG_ERROR = 2;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return configure(new CommandLine(new SluiceCli()));
    }

    /** Tests pass a factory that hands out prepared subcommand instances. */
    static CommandLine commandLine(IFactory factory) {
        return configure(new CommandLine(new SluiceCli(), factory));
    }

    private static CommandLine configure(CommandLine commandLine) {
        return commandLine;
    }

    /** Without a command there is nothing to do: say so and show the commands. */
    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.getErr().println("sluice: missing command (run, demo, policy, audit, health, inject, webhook, "
                + "import or fingerprint)");
        commandLine.usage(commandLine.getErr());
        return USAGE_OR_CONFIG_ERROR;
    }
}
