package org.sluice.cli.inject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.sluice.policy.config.ListenAddress;
import org.sluice.policy.config.SluiceConfig;

/**
 * The ports of an injected pod, taken from the policy its sidecar runs: the init container's SLUICE_PORTS, the
 * algorithm's HOST/PORT and proxy variables, the probes, the sidecar's containerPort and the Prometheus
 * annotation. {@link #of} refuses a policy that could not run in the pod inject writes.
 *
 * @param gateway the gateway listener's port, reached by the algorithm at 127.0.0.1
 * @param forward the forward listener's port, reached at 127.0.0.1; 0 when the policy has no forward listener
 * @param admin   the admin listener's port, reached by the kubelet's probes and Prometheus at the pod's IP
 */
public record SidecarPorts(int gateway, int forward, int admin) {

    /** The ports of a policy with the documented defaults (gateway 8080, forward 3128, admin 9090). */
    public static final SidecarPorts DEFAULTS = new SidecarPorts(InjectSettings.GATEWAY_PORT,
            InjectSettings.FORWARD_PORT, InjectSettings.ADMIN_PORT);
    /** Where the sidecar mounts the sluice-audit volume: the only place its audit log can be written and kept. */
    static final Path AUDIT_FOLDER = Path.of("/var/log/sluice");
    /** Where the sidecar mounts the policy: a relative file name in the policy is read from here, read-only. */
    static final Path POLICY_FOLDER = Path.of("/etc/sluice");

    // The init rules let other users reach Sluice only at 127.0.0.1 (IPv4, over loopback); a wildcard includes it.
    private static final Set<String> REACHABLE_AT_LOOPBACK = Set.of("127.0.0.1", "0.0.0.0", "::");
    private static final Set<String> WILDCARD = Set.of("0.0.0.0", "::");

    /**
     * The ports of config, or why the pod cannot run it.
     *
     * @throws IllegalArgumentException naming every key that cannot work in the pod and why, one per sentence
     */
    public static SidecarPorts of(SluiceConfig config) {
        List<String> problems = new ArrayList<>();
        int gateway = config.gateway() == null ? 0 : loopbackPort("gateway.listen", config.gateway().listen(),
                problems);
        int forward = config.forward() == null ? 0 : loopbackPort("forward.listen", config.forward().listen(),
                problems);
        int admin = 0;
        if (config.admin() == null) {
            problems.add("the policy has no admin listener: the sidecar's startup probe (GET /readyz) is what "
                    + "holds the algorithm back until Sluice listens; add admin: {listen: 0.0.0.0:9090}");
        } else {
            ListenAddress listen = config.admin().listen();
            admin = fixedPort("admin.listen", listen, problems);
            if (!WILDCARD.contains(listen.host())) {
                problems.add("admin.listen " + show(listen) + ": the kubelet's probes and Prometheus connect to "
                        + "the pod's IP, which is not known when injecting, so only a wildcard address is reached; "
                        + "listen on 0.0.0.0:" + listen.port());
            }
        }
        checkAuditPath(config, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new SidecarPorts(gateway, forward, admin);
    }

    private static int loopbackPort(String key, ListenAddress listen, List<String> problems) {
        int port = fixedPort(key, listen, problems);
        if (!REACHABLE_AT_LOOPBACK.contains(listen.host())) {
            problems.add(key + " " + show(listen) + ": the algorithm reaches Sluice at 127.0.0.1, the only address "
                    + "the init container's rules let it connect to; listen on 127.0.0.1:" + listen.port());
        }
        return port;
    }

    private static int fixedPort(String key, ListenAddress listen, List<String> problems) {
        if (listen.port() == 0) {
            problems.add(key + " " + show(listen) + ": port 0 picks a free port when Sluice starts, and the pod's "
                    + "rules, probes and environment need it before; give a port");
        }
        return listen.port();
    }

    /**
     * The audit log must be on the sluice-audit volume. In the pod the policy is /etc/sluice/sluice.yaml, so a path
     * written relative (resolved against the policy file's folder where inject read it) lands in the read-only
     * ConfigMap.
     */
    private static void checkAuditPath(SluiceConfig config, List<String> problems) {
        Path path = config.audit().path();
        Path source = config.source() == null ? null : config.source().toAbsolutePath().normalize().getParent();
        boolean relative = !path.isAbsolute() || (source != null && path.startsWith(source)
                && !source.equals(path.getRoot()));
        if (relative) {
            Path inPod = POLICY_FOLDER.resolve(source == null || !path.isAbsolute() ? path
                    : source.relativize(path)).normalize();
            problems.add("audit.path " + path + " is relative to the policy's folder (or inside it); in the pod "
                    + "that is " + inPod + ", in the read-only policy ConfigMap: give an absolute path under "
                    + AUDIT_FOLDER + "/");
        } else if (!path.normalize().startsWith(AUDIT_FOLDER) || path.normalize().equals(AUDIT_FOLDER)) {
            problems.add("audit.path " + path + " is outside " + AUDIT_FOLDER + "/, the sluice-audit volume, "
                    + "the only place in the pod where Sluice can write its log and it is kept: give a path "
                    + "under " + AUDIT_FOLDER + "/");
        }
    }

    private static String show(ListenAddress listen) {
        return (listen.host().contains(":") ? "[" + listen.host() + "]" : listen.host()) + ":" + listen.port();
    }

    /** The init container's SLUICE_PORTS: every port other users may reach on 127.0.0.1. */
    String initPorts() {
        return java.util.stream.IntStream.of(gateway, forward, admin).filter(port -> port != 0)
                .mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(" "));
    }
}
