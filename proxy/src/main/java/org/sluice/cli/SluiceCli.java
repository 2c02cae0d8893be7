package org.sluice.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** The commands, by the name their {@code @Command} gives them, in the order {@code --help} lists them. */
    static final Map<String, Class<?>> COMMANDS = commands(
            "run", RunCommand.class, "demo", DemoCommand.class, "policy", PolicyCommand.class,
            "audit", AuditCommand.class, "health", HealthCommand.class, "inject", InjectCommand.class,
            "webhook", WebhookCommand.class, "import", ImportCommand.class, "fingerprint", FingerprintCommand.class);

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /**
     * The command line {@code args} need: with a command's name first, only that command. picocli reads a command's
     * annotations, options and subcommands when it is added; all of them were a fifth of the CPU time {@code run}
     * took to be ready. Anything else (no command, an option first, a name that is no command) gets them all, for
     * the usage and the error message.
     */
    static CommandLine commandLine(String... args) {
        Class<?> named = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (named == null) {
            return commandLine();
        }
        return new CommandLine(new SluiceCli()).addSubcommand(args[0], named);
    }

    /** Every command. */
    static CommandLine commandLine() {
        return withAllCommands(new CommandLine(new SluiceCli()));
    }

    /** Every command; tests pass a factory that hands out prepared subcommand instances. */
    static CommandLine commandLine(IFactory factory) {
        return withAllCommands(new CommandLine(new SluiceCli(), factory));
    }

    private static CommandLine withAllCommands(CommandLine commandLine) {
        COMMANDS.forEach(commandLine::addSubcommand);
        return commandLine;
    }

    private static Map<String, Class<?>> commands(Object... nameThenClass) {
        Map<String, Class<?>> commands = new LinkedHashMap<>();
        for (int i = 0; i < nameThenClass.length; i += 2) {
            commands.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
        }
        return Collections.unmodifiableMap(commands);
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
