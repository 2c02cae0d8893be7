package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice policy ...}: questions about a policy file, answered without running the proxy. */
@Command(
        name = "policy",
        description = "Check a policy file without running the proxy.",
        subcommands = {
            CheckImageCommand.class,
        })
final class PolicyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    /** Without a subcommand there is nothing to do: say so and show the subcommands. */
    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.getErr().println("sluice policy: missing command ("
                + String.join(", ", commandLine.getSubcommands().keySet()) + ")");
        commandLine.usage(commandLine.getErr());
        return SluiceCli.USAGE_OR_CONFIG_ERROR;
    }

    /**
     * The validated config in file, or null after printing to err every problem as FILE:LINE:COL: message, or why
     * the file cannot be read; the caller then exits with {@link SluiceCli#USAGE_OR_CONFIG_ERROR}.
     */
    static SluiceConfig loadOrReport(Path file, PrintWriter err) {
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
        } catch (IOException e) {
            err.println("sluice: cannot read config " + file + ": " + IoMessages.reason(e));
        }
        err.flush();
        return null;
    }
}
