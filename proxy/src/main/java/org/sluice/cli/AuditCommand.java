package org.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice audit ...}: verify, summarise and follow audit logs, and make their signing keys. */
@Command(
        name = "audit",
        description = "Work with the audit log: verify, summarise and follow it; make its signing keys.",
        subcommands = {
            AuditVerifyCommand.class,
            AuditSummaryCommand.class,
            AuditTailCommand.class,
            KeygenCommand.class,
        })
final class AuditCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    /** Without a subcommand there is nothing to do: say so and show the subcommands. */
    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.getErr().println("sluice audit: missing command ("
                + String.join(", ", commandLine.getSubcommands().keySet()) + ")");
        commandLine.usage(commandLine.getErr());
        return SluiceCli.USAGE_OR_CONFIG_ERROR;
    }
}
