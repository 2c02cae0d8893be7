package org.sluice.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Exit code and everything a command printed, from one in-process execution. */
record CliResult(int exitCode, String out, String err) {

    static CliResult execute(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliResult(exitCode, out.toString(), err.toString());
    }

    static CliResult execute(String... args) {
        return execute(SluiceCli.commandLine(), args);
    }
}
