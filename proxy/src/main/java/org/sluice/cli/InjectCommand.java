package org.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sluice.cli.inject.InjectSettings;
import org.sluice.cli.inject.Injection;
import org.sluice.cli.inject.ManifestException;
import org.sluice.cli.inject.Manifests;
import org.sluice.cli.inject.PodInjector;
import org.sluice.cli.inject.Refusal;
import org.sluice.policy.config.SluiceConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice inject -f MANIFEST --policy POLICY}: adds Sluice to every workload of a Kubernetes manifest. */
@Command(
        name = "inject",
        description = {
            "Add Sluice to the pods of a Kubernetes manifest, as istioctl kube-inject does.",
            "",
            "For every Pod, Job, CronJob, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController "
                    + "and PodTemplate: checks each algorithm container (its image must be allowed by the "
                    + "policy's algorithms list; no root, no Sluice user id or group, no privilege, no added "
                    + "capabilities; none of the node's namespaces, no hostPath, no DNS or /etc/hosts override), "
                    + "then adds the sluice-init init container (its SLUICE_PORTS, the probes and the environment "
                    + "from the policy's listen addresses), the sluice sidecar, their volumes, the proxy and "
                    + "vantage6 environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, HOST, PORT, API_PATH, replacing "
                    + "entries of those names) and the hardening securityContext where unset. Other kinds, and "
                    + "pods that already have a container named sluice, are written unchanged. Comments do not "
                    + "survive; the order of documents does.",
            "Exits 0 when written, 1 when a container is refused (each refusal printed as "
                    + "MANIFEST:LINE: document N (KIND NAME), container NAME: REASON, and nothing written), 2 when "
                    + "a file cannot be read or is invalid."})
final class InjectCommand implements Callable<Integer> {

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "MANIFEST",
            description = "the manifest (YAML, documents separated by ---); - reads standard input")
    private String manifest;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "where to write the injected manifest; default (or -): standard output")
    private Path output;

    @Option(names = "--policy", required = true, paramLabel = "POLICY",
            description = "the Sluice config whose algorithms section says which images may run")
    private Path policy;

    @Mixin
    private InjectionOptions injection;

    @Spec
    private CommandSpec spec;

    private final InputStream stdin;

    InjectCommand() {
        this(System.in);
    }

    /** Tests hand in what standard input holds. */
    InjectCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        InjectSettings settings;
        try {
            settings = injection.settings();
        } catch (IllegalArgumentException e) {
            err.println("sluice inject: " + e.getMessage());
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        SluiceConfig config = PolicyFiles.loadOrReport(policy, err);
        if (config == null) {
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        String source = manifest.equals("-") ? "<stdin>" : manifest;
        List<Manifests.Document> documents;
        try {
            String text = manifest.equals("-") ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(manifest), StandardCharsets.UTF_8);
            documents = Manifests.read(text);
        } catch (IOException e) {
            err.println("sluice inject: cannot read manifest " + source + ": " + IoMessages.reason(e));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        } catch (ManifestException e) {
            err.println(e.describe(source));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }

        PodInjector injector;
        try {
            injector = PodInjector.forPolicy(settings, config);
        } catch (IllegalArgumentException e) {
            err.println("sluice inject: " + policy + ": a pod cannot run this policy: " + e.getMessage());
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        List<JsonNode> injected = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < documents.size(); i++) {
            Manifests.Document document = documents.get(i);
            Injection injection = injector.inject(document.node());
            for (Refusal refusal : injection.refusals()) {
                err.println(source + ":" + document.line() + ": document " + (i + 1) + " ("
                        + PodInjector.describe(document.node()) + "), " + refusal.line());
                refused++;
            }
            injected.add(injection.object());
        }
        if (refused > 0) {
            err.println("sluice inject: " + refused + (refused == 1 ? " refusal" : " refusals")
                    + "; nothing written");
            err.flush();
            return SluiceCli.CHECK_FAILED;
        }
        String text = Manifests.write(injected);
        if (output == null || output.toString().equals("-")) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(text);
            out.flush();
            return SluiceCli.OK;
        }
        try {
            Files.writeString(output, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("sluice inject: cannot write " + output + ": " + IoMessages.reason(e));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        return SluiceCli.OK;
    }
}
