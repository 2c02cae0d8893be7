package org.sluice.cli;

import java.util.concurrent.Callable;
import org.sluice.cli.vantage6.ImportVantage6Command;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice import}: another tool's egress settings as Sluice policy. */
@Command(
        name = "import",
        description = "Turn another tool's egress settings into Sluice policy (printed, never written over a file).",
        subcommands = {ImportVantage6Command.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:some entries could not be mapped", "2:usage or config error"})
final class ImportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.getErr().println("sluice import: missing what to import (vantage6)");
        commandLine.usage(commandLine.getErr());
        return SluiceCli.USAGE_OR_CONFIG_ERROR;
    }
}
