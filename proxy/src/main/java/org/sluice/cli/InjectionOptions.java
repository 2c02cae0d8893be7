package org.sluice.cli;

import org.sluice.cli.inject.InjectSettings;
import picocli.CommandLine.Option;

/** The options {@code inject} and {@code webhook} share: what they add to a pod. */
final class InjectionOptions {
    @Option(names = "--image", paramLabel = "IMAGE", defaultValue = "sluice:0.1.0",
            description = "the Sluice image of the init container and the sidecar (default: ${DEFAULT-VALUE})")
    String image;

    @Option(names = "--config-map", paramLabel = "NAME", defaultValue = "sluice-policy",
            description = "the ConfigMap holding the policy as key sluice.yaml (default: ${DEFAULT-VALUE})")
    String configMap;

    @Option(names = "--sidecar-cpu", paramLabel = "QUANTITY", defaultValue = InjectSettings.DEFAULT_CPU,
            description = "the sidecar's CPU request; no CPU limit is set (default: ${DEFAULT-VALUE})")
    String sidecarCpu;

    @Option(names = "--sidecar-memory", paramLabel = "QUANTITY", defaultValue = InjectSettings.DEFAULT_MEMORY,
            description = "the sidecar's memory request and limit, in Mi or Gi, at least 96Mi "
                    + "(default: ${DEFAULT-VALUE})")
    String sidecarMemory;

    @Option(names = "--api-path", paramLabel = "PATH", defaultValue = "",
            description = "the algorithms' API_PATH: empty (default) for a vantage6 node proxy's routes such as "
                    + "/task/7; a prefix such as /api when the gateway's upstream is a central server reached "
                    + "directly")
    String apiPath;

    /** @throws IllegalArgumentException when a value cannot be used, with a sentence saying why */
    InjectSettings settings() {
        return new InjectSettings(image, configMap, sidecarCpu, sidecarMemory, apiPath);
    }
}
