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

    /** @throws IllegalArgumentException when a value cannot be used, with a sentence saying why */
    InjectSettings settings() {
        return new InjectSettings(image, configMap);
    }
}
