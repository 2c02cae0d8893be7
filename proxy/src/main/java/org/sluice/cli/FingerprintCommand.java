package org.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice fingerprint ...}: build and inspect the fingerprint index of a protected data set. */
@Command(
        name = "fingerprint",
        description = "Build and inspect a salted fingerprint index of the protected data (no data in it).",
        subcommands = {FingerprintBuildCommand.class, FingerprintStatsCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:stats: the file is not a whole fingerprint index", "2:usage or input error"})
final class FingerprintCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    /** Without a subcommand there is nothing to do: say so and show the subcommands. */
    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.getErr().println("sluice fingerprint: missing command ("
                + String.join(", ", commandLine.getSubcommands().keySet()) + ")");
        commandLine.usage(commandLine.getErr());
        return SluiceCli.USAGE_OR_CONFIG_ERROR;
    }
}
