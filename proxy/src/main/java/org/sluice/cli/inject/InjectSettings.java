package org.sluice.cli.inject;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What injection adds that a node may choose: Sluice's image, the ConfigMap that holds its policy and the sidecar's
 * resources. The user ids are fixed, because the init container's iptables rules depend on them; the ports come
 * from the policy's listeners ({@link SidecarPorts}).
 *
 * @param sidecarImage  the Sluice image of both the init container and the sidecar, e.g. {@code sluice:0.1.0}
 * @param configMapName the ConfigMap with the policy as key {@code sluice.yaml}, mounted at /etc/sluice
 * @param sidecarCpu    the sidecar's CPU request, a Kubernetes quantity such as {@code 100m}; no CPU limit is set
 * @param sidecarMemory the sidecar's memory request and limit, a Kubernetes quantity such as {@code 160Mi}
 * @param apiPath       the algorithm's {@code API_PATH}: empty (a vantage6 node proxy's routes, {@code /task/7}), or
 *                      a prefix such as {@code /api} when the gateway's upstream is a central server reached directly
 */
public record InjectSettings(String sidecarImage, String configMapName, String sidecarCpu, String sidecarMemory,
                             String apiPath) {

    /** The sidecar's name; a pod with a container of this name is taken as already injected. */
    public static final String SIDECAR = "sluice";
    /** The init container that installs the iptables rules. */
    public static final String INIT = "sluice-init";
    /** The one user id whose traffic the init rules let leave the pod. */
    public static final int SLUICE_UID = 10001;
    /** The user id algorithm containers run as when they name none. */
    public static final int ALGORITHM_UID = 10002;
    /** The listeners' ports of the base policy, and of an injector made without a policy. */
    public static final int GATEWAY_PORT = 8080;
    public static final int FORWARD_PORT = 3128;
    public static final int ADMIN_PORT = 9090;
    /** Marks an injected pod; the NetworkPolicy in deploy/k8s selects it. */
    public static final String INJECTED_LABEL = "sluice/injected";
    public static final String DEFAULT_CPU = "100m";
    /**
     * The image's JVM measured 75-78 MiB RSS idle and at most 95 MiB at 1,000 connections (bench/footprint); the rest
     * is headroom for what that did not load: hostile clients, large uploads' buffers, the socket buffers the pod's
     * memory limit also counts.
     */
    public static final String DEFAULT_MEMORY = "160Mi";
    /** Below this the sidecar's JVM is killed for memory under load (it measured up to 95 MiB at 1,000 connections). */
    static final long MIN_MEMORY_BYTES = 96L * 1024 * 1024;

    private static final Pattern CPU = Pattern.compile("([1-9][0-9]{0,5})m|([0-9]{1,3})(\\.[0-9]{1,3})?");
    private static final Pattern MEMORY = Pattern.compile("([1-9][0-9]{0,6})(Mi|Gi)");
    /** Empty, or '/'-separated segments of unreserved characters; no trailing '/', no dot segments. */
    private static final Pattern API_PATH = Pattern.compile("(/(?!\\.{1,2}(?:/|$))[A-Za-z0-9._~-]+)*");

    public InjectSettings {
        Objects.requireNonNull(sidecarImage, "sidecarImage");
        Objects.requireNonNull(configMapName, "configMapName");
        Objects.requireNonNull(sidecarCpu, "sidecarCpu");
        Objects.requireNonNull(sidecarMemory, "sidecarMemory");
        Objects.requireNonNull(apiPath, "apiPath");
        if (!API_PATH.matcher(apiPath).matches()) {
            throw new IllegalArgumentException("API_PATH '" + apiPath + "' is neither empty nor a path such as /api "
                    + "(segments of letters, digits and -._~, no trailing '/')");
        }
        if (sidecarImage.isBlank()) {
            throw new IllegalArgumentException("the Sluice image is empty");
        }
        if (!configMapName.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
            throw new IllegalArgumentException("ConfigMap name '" + configMapName
                    + "' is not a Kubernetes object name (lower-case letters, digits, '-' and '.')");
        }
        Matcher cpu = CPU.matcher(sidecarCpu);
        if (!cpu.matches() || (cpu.group(2) != null && Double.parseDouble(sidecarCpu) == 0)) {
            throw new IllegalArgumentException("sidecar CPU '" + sidecarCpu + "' is not a CPU quantity above zero "
                    + "such as 100m or 0.5");
        }
        Matcher memory = MEMORY.matcher(sidecarMemory);
        if (!memory.matches()) {
            throw new IllegalArgumentException("sidecar memory '" + sidecarMemory + "' is not a quantity in Mi or Gi "
                    + "such as 160Mi");
        }
        long bytes = Long.parseLong(memory.group(1)) << (memory.group(2).equals("Gi") ? 30 : 20);
        if (bytes < MIN_MEMORY_BYTES) {
            throw new IllegalArgumentException("sidecar memory " + sidecarMemory + " is below "
                    + (MIN_MEMORY_BYTES >> 20) + "Mi, too little for Sluice's JVM (about 95 MiB resident under load): "
                    + "it would be killed for memory");
        }
    }

    /** The resources given, an empty API_PATH. */
    public InjectSettings(String sidecarImage, String configMapName, String sidecarCpu, String sidecarMemory) {
        this(sidecarImage, configMapName, sidecarCpu, sidecarMemory, "");
    }

    /** The image and ConfigMap given, the default resources, an empty API_PATH. */
    public InjectSettings(String sidecarImage, String configMapName) {
        this(sidecarImage, configMapName, DEFAULT_CPU, DEFAULT_MEMORY);
    }

    /** The defaults of {@code sluice inject}. */
    public static InjectSettings defaults() {
        return new InjectSettings("sluice:0.1.0", "sluice-policy");
    }
}
