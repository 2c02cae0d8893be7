package org.sluice.cli.inject;

import java.util.Objects;

/**
 * What injection adds that a node may choose: Sluice's image and the ConfigMap that holds its policy. The user ids
 * and ports are fixed, because the init container's iptables rules and the policy's listeners depend on them.
 *
 * @param sidecarImage  the Sluice image of both the init container and the sidecar, e.g. {@code sluice:0.1.0}
 * @param configMapName the ConfigMap with the policy as key {@code sluice.yaml}, mounted at /etc/sluice
 */
public record InjectSettings(String sidecarImage, String configMapName) {

    /** The sidecar's name; a pod with a container of this name is taken as already injected. */
    public static final String SIDECAR = "sluice";
    /** The init container that installs the iptables rules. */
    public static final String INIT = "sluice-init";
    /** The one user id whose traffic the init rules let leave the pod. */
    public static final int SLUICE_UID = 10001;
    /** The user id algorithm containers run as when they name none. */
    public static final int ALGORITHM_UID = 10002;
    public static final int GATEWAY_PORT = 8080;
    public static final int FORWARD_PORT = 3128;
    public static final int ADMIN_PORT = 9090;
    /** Marks an injected pod; the NetworkPolicy in deploy/k8s selects it. */
    public static final String INJECTED_LABEL = "sluice/injected";

    public InjectSettings {
        Objects.requireNonNull(sidecarImage, "sidecarImage");
        Objects.requireNonNull(configMapName, "configMapName");
        if (sidecarImage.isBlank()) {
            throw new IllegalArgumentException("the Sluice image is empty");
        }
        if (!configMapName.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
            throw new IllegalArgumentException("ConfigMap name '" + configMapName
                    + "' is not a Kubernetes object name (lower-case letters, digits, '-' and '.')");
        }
    }

    /** The defaults of {@code sluice inject}. */
    public static InjectSettings defaults() {
        return new InjectSettings("sluice:0.1.0", "sluice-policy");
    }
}
