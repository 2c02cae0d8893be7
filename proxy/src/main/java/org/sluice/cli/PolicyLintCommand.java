package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.sluice.policy.PolicyLint;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.Problem;
import org.sluice.policy.config.SluiceConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice policy lint FILE [--strict]}: the config's errors and the policy's warnings, one line each. */
@Command(
        name = "lint",
        description = {
            "Check a config file and print its errors and warnings, one per line.",
            "",
            "Errors are what `run` would refuse to start with; warnings are rules that can never match and rules "
                    + "that allow every path of a host. Lines look like this:",
            "",
            "  FILE:LINE:COL: error: message",
            "  FILE:LINE:COL: warning: message",
            "",
            "then a summary line, FILE: ok (N rules) or FILE: E errors, W warnings."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:no errors (and, with --strict, no warnings)",
            "1:errors, or warnings with --strict",
            "2:the file cannot be read, or a usage error"})
final class PolicyLintCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "YAML config file")
    private Path configFile;

    @Option(names = "--strict", description = "Warnings fail the check too (exit 1), as in CI.")
    private boolean strict;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SluiceConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (IOException e) {
            err.println("sluice: cannot read config " + configFile + ": " + IoMessages.reason(e));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        } catch (ConfigException e) {
            e.problems().forEach(p -> out.println(line(p, "error")));
            out.println(configFile + ": " + count(e.problems().size(), "error") + " (warnings are checked once "
                    + "the file is valid)");
            out.flush();
            return SluiceCli.CHECK_FAILED;
        }
        List<Problem> warnings = PolicyLint.warnings(config);
        warnings.forEach(p -> out.println(line(p, "warning")));
        if (warnings.isEmpty()) {
            out.println(configFile + ": ok (" + count(config.rules().size(), "rule") + ")");
        } else {
            out.println(configFile + ": 0 errors, " + count(warnings.size(), "warning")
                    + (strict ? " (--strict: warnings fail)" : ""));
        }
        out.flush();
        return strict && !warnings.isEmpty() ? SluiceCli.CHECK_FAILED : SluiceCli.OK;
    }

    private static String line(Problem problem, String severity) {
        return problem.position() + ": " + severity + ": " + problem.message();
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
