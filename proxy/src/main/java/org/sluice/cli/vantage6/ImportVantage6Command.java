package org.sluice.cli.vantage6;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice import vantage6 NODE_CONFIG.yaml}: the node's Squid {@code whitelist} as Sluice forward rules on
 * standard output, what could not be mapped on standard error.
 */
@Command(
        name = "vantage6",
        description = {
            "Turn the whitelist block of a vantage6 node config (domains, ips, ports: the node's Squid proxy) into "
                    + "Sluice forward rules.",
            "",
            "Prints a YAML fragment (allowPrivate and two rules: plain HTTP and CONNECT tunnels) to add to a Sluice "
                    + "config with a forward listener, and on standard error each entry it could not map, with "
                    + "why. Domains with a leading dot match the domain and every name below it, as in Squid; "
                    + "ports hold for every host, as in Squid. Where Sluice is stricter is written in the output."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every entry was mapped",
            "1:some entries could not be mapped (listed on standard error; the rest is printed)",
            "2:usage or config error: the file cannot be read, is not YAML, or has no whitelist block"})
public final class ImportVantage6Command implements Callable<Integer> {

    // The CLI contract's exit codes (SluiceCli).
    private static final int OK = 0;
    private static final int CHECK_FAILED = 1;
    private static final int USAGE_OR_CONFIG_ERROR = 2;

    @Parameters(index = "0", paramLabel = "NODE_CONFIG.yaml", description = "The vantage6 node configuration file")
    private Path nodeConfig;

    @Option(names = "--environment", paramLabel = "NAME",
            description = "With an older config's environments: block, the environment to read (default: the "
                    + "only one with a whitelist)")
    private String environment;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NodeWhitelist whitelist;
        try {
            whitelist = NodeWhitelist.read(Files.readString(nodeConfig, StandardCharsets.UTF_8), environment);
        } catch (IOException e) {
            err.println("sluice import vantage6: cannot read " + nodeConfig + ": " + e.getMessage());
            err.flush();
            return USAGE_OR_CONFIG_ERROR;
        } catch (IllegalArgumentException e) {
            err.println("sluice import vantage6: " + nodeConfig + ": " + e.getMessage());
            err.flush();
            return USAGE_OR_CONFIG_ERROR;
        }
        WhitelistTranslation translation = WhitelistTranslation.of(whitelist);
        out.print(translation.toYaml(whitelist.where()));
        out.flush();
        for (String entry : translation.unmapped()) {
            err.println("not mapped: " + entry);
        }
        err.flush();
        return translation.unmapped().isEmpty() ? OK : CHECK_FAILED;
    }
}
