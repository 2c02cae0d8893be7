package org.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice policy ...}: checks on a policy without running Sluice. Only groups its subcommands. */
@Command(
        name = "policy",
        description = "Check a policy without running Sluice: lint it, explain one request, test it against cases, "
                + "check a container image against its algorithms.",
        subcommands = {PolicyLintCommand.class, PolicyExplainCommand.class, PolicyTestCommand.class,
            CheckImageCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:a check failed (lint: errors; explain: the request would be refused; test: a case failed; "
                    + "check-image: the image is denied)",
            "2:usage or config error"})
final class PolicyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    /** Without a subcommand there is nothing to do: say so and show them. */
    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.getErr().println("sluice policy: missing command");
        commandLine.usage(commandLine.getErr());
        return SluiceCli.USAGE_OR_CONFIG_ERROR;
    }
}
