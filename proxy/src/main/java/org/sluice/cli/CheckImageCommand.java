package org.sluice.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.image.AlgorithmAllowlist;
import org.sluice.policy.image.ImageCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice policy check-image FILE IMAGE}: may this container image run under the policy's algorithms? */
@Command(
        name = "check-image",
        description = {
            "Say whether the policy's algorithms section allows a container image.",
            "",
            "IMAGE is normalised as Docker does (ubuntu is docker.io/library/ubuntu:latest) and checked against "
                    + "the entries in file order. Prints one line:",
            "  allowed: IMAGE (entry at FILE:LINE:COL: ENTRY)",
            "  denied: IMAGE: REASON",
            "Exits 0 when allowed, 1 when denied, 2 when FILE cannot be read or is invalid (each problem printed "
                    + "as FILE:LINE:COL: message)."})
final class CheckImageCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "YAML config file with an algorithms section")
    private Path configFile;

    @Parameters(index = "1", paramLabel = "IMAGE",
            description = "image reference, e.g. ubuntu@sha256:<64 hex digits>")
    private String image;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        SluiceConfig config = PolicyFiles.loadOrReport(configFile, spec.commandLine().getErr());
        if (config == null) {
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        ImageCheck check = AlgorithmAllowlist.compile(config.algorithms()).check(image);
        PrintWriter out = spec.commandLine().getOut();
        out.println(check.line());
        out.flush();
        return check.allowed() ? SluiceCli.OK : SluiceCli.CHECK_FAILED;
    }
}
