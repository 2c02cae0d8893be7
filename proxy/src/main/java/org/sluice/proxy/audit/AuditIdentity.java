package org.sluice.proxy.audit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Who writes the audit log: {@code job} and {@code node} in every line. The node also names the hash chain: its
 * first record links to {@link AuditChain#genesis(String)} of the node.
 *
 * @param job  the job (algorithm run) Sluice guards, or null when unknown
 * @param node the node (machine, pod) Sluice runs on; never null
 */
public record AuditIdentity(String job, String node) {

    /** The environment variable that names the job when {@code audit.job} is not set. */
    public static final String JOB_ENV = "SLUICE_JOB_ID";
    /** The environment variable that names the node when {@code audit.node} is not set. */
    public static final String NODE_ENV = "SLUICE_NODE_ID";
    /** The node when neither config, environment nor host name says. */
    public static final String UNKNOWN_NODE = "unknown-node";

    public AuditIdentity {
        Objects.requireNonNull(node, "node");
    }

    /**
     * The configured values, else the environment's, else (node only) the host name, else {@value #UNKNOWN_NODE}.
     * Blank environment values count as unset. {@code hostName} is only asked when it is needed; it may return
     * null or throw nothing but an unchecked exception.
     */
    public static AuditIdentity resolve(String configuredJob, String configuredNode, Map<String, String> env,
                                        Supplier<String> hostName) {
        String job = configuredJob != null ? configuredJob : nonBlank(env.get(JOB_ENV));
        String node = configuredNode != null ? configuredNode : nonBlank(env.get(NODE_ENV));
        if (node == null) {
            node = nonBlank(hostName.get());
        }
        return new AuditIdentity(job, node == null ? UNKNOWN_NODE : node);
    }

    /** This machine's host name, or null when it cannot be found (may ask DNS: call once, at start-up). */
    public static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
