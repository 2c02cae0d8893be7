package org.sluice.cli.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.image.AlgorithmAllowlist;

/**
 * Puts Sluice in front of a workload's pods: the transform of {@code sluice inject} and the admission webhook, on
 * Jackson trees. Immutable and thread-safe; the input is never changed.
 *
 * <p>For a Pod, and the pod template of a Job, CronJob, Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * ReplicationController or PodTemplate (a List is done item by item), it first checks every algorithm container
 * (containers and initContainers other than Sluice's own): its image must be allowed by the policy's
 * {@code algorithms} list, and the pod may not undo the isolation ({@link PodSafety}: root or Sluice's user id or
 * group, privileged, added capabilities, privilege escalation, the node's namespaces or files, the names Sluice
 * resolves). Any refusal refuses the whole object. A pod with a
 * container named {@value InjectSettings#SIDECAR} is then left as it is. Otherwise it adds:
 * <ul>
 *   <li>the init container {@value InjectSettings#INIT} (iptables: only Sluice's user id leaves the pod) and the
 *       sidecar {@value InjectSettings#SIDECAR} as a native sidecar (an init container with
 *       {@code restartPolicy: Always}), both first among the initContainers;
 *   <li>the volumes sluice-policy (the ConfigMap), sluice-audit and sluice-tmp (emptyDirs);
 *   <li>on every algorithm container: HTTP(S)_PROXY, http(s)_proxy, NO_PROXY, no_proxy, HOST, PORT and API_PATH,
 *       replacing entries of the same name; and, where unset, runAsNonRoot, runAsUser 10002,
 *       allowPrivilegeEscalation false, readOnlyRootFilesystem, and ALL in capabilities.drop;
 *   <li>on the pod: automountServiceAccountToken false (always), enableServiceLinks false (where unset), the
 *       {@value InjectSettings#INJECTED_LABEL} label and Prometheus scrape annotations for Sluice's admin port.
 * </ul>
 */
public final class PodInjector {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String NO_PROXY = "127.0.0.1,localhost";
    /** The forward listener's variables, set to Sluice's where the policy has that listener. */
    private static final List<String> PROXY_VARIABLES = List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
            "https_proxy", "NO_PROXY", "no_proxy");
    /**
     * Removed from every algorithm container's env; set again, to Sluice's, where the policy has the listener: the
     * proxy variables for the forward listener, the central server's for the gateway.
     */
    private static final Set<String> REPLACED_VARIABLES = Set.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
            "https_proxy", "NO_PROXY", "no_proxy", "HOST", "PORT", "API_PATH");
    static final Set<String> OWN_VOLUMES = Set.of("sluice-policy", "sluice-audit", "sluice-tmp");

    private final InjectSettings settings;
    private final PodSafety safety;
    private final SidecarPorts ports;
    /** Set on every algorithm container, in this order, replacing entries of the same name. */
    private final Map<String, String> algorithmEnv;

    /** An injector for a policy with the default ports ({@link SidecarPorts#DEFAULTS}). */
    public PodInjector(InjectSettings settings, AlgorithmAllowlist allowlist) {
        this(settings, allowlist, SidecarPorts.DEFAULTS);
    }

    public PodInjector(InjectSettings settings, AlgorithmAllowlist allowlist, SidecarPorts ports) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.safety = new PodSafety(settings, Objects.requireNonNull(allowlist, "allowlist"));
        this.ports = Objects.requireNonNull(ports, "ports");
        this.algorithmEnv = orderedEnv(ports, settings.apiPath());
    }

    /**
     * The injector for the pods that run policy: its algorithms list, its listeners' ports.
     *
     * @throws IllegalArgumentException when the policy cannot run in the pod inject writes, saying why
     */
    public static PodInjector forPolicy(InjectSettings settings, SluiceConfig policy) {
        return new PodInjector(settings, AlgorithmAllowlist.compile(policy.algorithms()), SidecarPorts.of(policy));
    }

    private static Map<String, String> orderedEnv(SidecarPorts ports, String apiPath) {
        LinkedHashMap<String, String> env = new LinkedHashMap<>();
        if (ports.forward() != 0) {
            String proxy = "http://127.0.0.1:" + ports.forward();
            for (String name : PROXY_VARIABLES) {
                env.put(name, name.equalsIgnoreCase("NO_PROXY") ? NO_PROXY : proxy);
            }
        }
        if (ports.gateway() != 0) {
            env.put("HOST", "http://127.0.0.1");
            env.put("PORT", Integer.toString(ports.gateway()));
            env.put("API_PATH", apiPath);
        }
        return Collections.unmodifiableMap(env);
    }

    /** The environment every algorithm container gets, name to value, in the order it is written. */
    public Map<String, String> algorithmEnv() {
        return algorithmEnv;
    }

    /** Injects one object (a document of a manifest, or an admission request's object). */
    public Injection inject(JsonNode object) {
        if (!(object instanceof ObjectNode input)) {
            return new Injection(object, Injection.Outcome.NOT_A_WORKLOAD, List.of());
        }
        String kind = input.path("kind").asText("");
        if (kind.equals("List")) {
            return injectList(input);
        }
        List<String> templatePath = templatePath(kind);
        if (templatePath == null) {
            return new Injection(object, Injection.Outcome.NOT_A_WORKLOAD, List.of());
        }
        JsonNode template = input;
        for (String field : templatePath) {
            template = template.path(field);
        }
        List<Refusal> refusals = check(template);
        if (!refusals.isEmpty()) {
            return new Injection(object, Injection.Outcome.REFUSED, refusals);
        }
        if (alreadyInjected(template.path("spec"))) {
            return new Injection(object, Injection.Outcome.ALREADY_INJECTED, List.of());
        }
        ObjectNode copy = input.deepCopy();
        ObjectNode copiedTemplate = copy;
        for (String field : templatePath) {
            copiedTemplate = child(copiedTemplate, field);
        }
        try {
            addSluice(copiedTemplate);
        } catch (IllegalArgumentException e) {
            return new Injection(object, Injection.Outcome.REFUSED, List.of(new Refusal(null,
                    "the pod template cannot be injected: " + e.getMessage())));
        }
        return new Injection(copy, Injection.Outcome.INJECTED, List.of());
    }

    /** Where a kind keeps its pod template (metadata + spec); empty for a Pod itself; null for other kinds. */
    static List<String> templatePath(String kind) {
        return switch (kind) {
            case "Pod" -> List.of();
            case "Job", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController" ->
                    List.of("spec", "template");
            case "CronJob" -> List.of("spec", "jobTemplate", "spec", "template");
            case "PodTemplate" -> List.of("template");
            default -> null;
        };
    }

    private Injection injectList(ObjectNode list) {
        JsonNode items = list.path("items");
        if (!items.isArray()) {
            return new Injection(list, Injection.Outcome.NOT_A_WORKLOAD, List.of());
        }
        ArrayNode injectedItems = JSON.arrayNode();
        List<Refusal> refusals = new ArrayList<>();
        boolean changed = false;
        for (int i = 0; i < items.size(); i++) {
            Injection item = inject(items.get(i));
            String where = "items[" + i + "] (" + describe(items.get(i)) + ")";
            for (Refusal refusal : item.refusals()) {
                refusals.add(new Refusal(refusal.container(), where + " " + refusal.reason()));
            }
            changed |= item.outcome() == Injection.Outcome.INJECTED;
            injectedItems.add(item.object());
        }
        if (!refusals.isEmpty()) {
            return new Injection(list, Injection.Outcome.REFUSED, refusals);
        }
        if (!changed) {
            return new Injection(list, Injection.Outcome.NOT_A_WORKLOAD, List.of());
        }
        ObjectNode copy = list.deepCopy();
        copy.set("items", injectedItems);
        return new Injection(copy, Injection.Outcome.INJECTED, List.of());
    }

    /** {@code Kind name} of an object, for messages; {@code ?} for what is missing. */
    public static String describe(JsonNode object) {
        String name = object.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            name = object.path("metadata").path("generateName").asText("?");
        }
        return object.path("kind").asText("?") + " " + name;
    }

    // ---- checks --------------------------------------------------------------------------------------------

    private List<Refusal> check(JsonNode template) {
        boolean injected = alreadyInjected(template.path("spec"));
        List<Refusal> refusals = safety.check(template, injected);
        if (injected && refusals.isEmpty()) {
            InjectedPodCheck.check(template.path("spec"), initContainer(), sidecar(), settings.configMapName(),
                    refusals);
        }
        return refusals;
    }

    private static boolean alreadyInjected(JsonNode spec) {
        for (String field : List.of("initContainers", "containers")) {
            for (JsonNode container : spec.path(field)) {
                if (container.path("name").asText("").equals(InjectSettings.SIDECAR)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- the transform -------------------------------------------------------------------------------------

    private void addSluice(ObjectNode template) {
        ObjectNode metadata = child(template, "metadata");
        child(metadata, "labels").put(InjectSettings.INJECTED_LABEL, "true");
        ObjectNode annotations = child(metadata, "annotations");
        annotations.put("prometheus.io/scrape", "true");
        annotations.put("prometheus.io/port", Integer.toString(ports.admin()));
        annotations.put("prometheus.io/path", "/metrics");

        ObjectNode spec = child(template, "spec");
        spec.put("automountServiceAccountToken", false);
        if (!spec.has("enableServiceLinks")) {
            spec.put("enableServiceLinks", false);
        }
        boolean podSetsUser = spec.path("securityContext").has("runAsUser");
        ArrayNode initContainers = JSON.arrayNode();
        ObjectNode init = initContainer();
        resources(init, "10m", "32Mi", "64Mi"); // iptables-restore, once
        initContainers.add(init);
        ObjectNode sidecar = sidecar();
        resources(sidecar, settings.sidecarCpu(), settings.sidecarMemory(), settings.sidecarMemory());
        initContainers.add(sidecar);
        for (JsonNode container : spec.path("initContainers")) {
            initContainers.add(harden((ObjectNode) container, podSetsUser));
        }
        spec.set("initContainers", initContainers);
        for (JsonNode container : childList(spec, "containers")) {
            harden((ObjectNode) container, podSetsUser);
        }
        ArrayNode volumes = childList(spec, "volumes");
        volumes.addObject().put("name", "sluice-policy").putObject("configMap").put("name", settings.configMapName());
        volumes.addObject().put("name", "sluice-audit").putObject("emptyDir");
        volumes.addObject().put("name", "sluice-tmp").putObject("emptyDir");
    }

    private ObjectNode harden(ObjectNode container, boolean podSetsUser) {
        ArrayNode env = JSON.arrayNode();
        for (JsonNode entry : container.path("env")) {
            String name = entry.path("name").asText();
            if (!REPLACED_VARIABLES.contains(name)) {
                env.add(entry);
            }
        }
        algorithmEnv.forEach((name, value) -> env.addObject().put("name", name).put("value", value));
        container.set("env", env);

        ObjectNode securityContext = child(container, "securityContext");
        if (!securityContext.has("runAsUser") && !podSetsUser) {
            securityContext.put("runAsUser", InjectSettings.ALGORITHM_UID);
        }
        putIfAbsent(securityContext, "runAsNonRoot", true);
        putIfAbsent(securityContext, "allowPrivilegeEscalation", false);
        putIfAbsent(securityContext, "readOnlyRootFilesystem", true);
        ArrayNode drop = childList(child(securityContext, "capabilities"), "drop");
        boolean dropsAll = false;
        for (JsonNode capability : drop) {
            dropsAll |= capability.asText().equals("ALL");
        }
        if (!dropsAll) {
            drop.add("ALL");
        }
        return container;
    }

    private static void putIfAbsent(ObjectNode node, String field, boolean value) {
        if (!node.has(field) || node.get(field).isNull()) {
            node.put(field, value);
        }
    }

    private ObjectNode initContainer() {
        ObjectNode init = JSON.objectNode();
        init.put("name", InjectSettings.INIT);
        init.put("image", settings.sidecarImage());
        init.putArray("command").add("/opt/sluice/sluice-init.sh");
        ArrayNode env = init.putArray("env");
        env.addObject().put("name", "SLUICE_UID").put("value", Integer.toString(InjectSettings.SLUICE_UID));
        env.addObject().put("name", "SLUICE_PORTS").put("value", ports.initPorts());
        ObjectNode securityContext = init.putObject("securityContext");
        securityContext.put("runAsUser", 0);
        securityContext.put("runAsNonRoot", false);
        securityContext.put("allowPrivilegeEscalation", false);
        securityContext.put("readOnlyRootFilesystem", true);
        ObjectNode capabilities = securityContext.putObject("capabilities");
        capabilities.putArray("add").add("NET_ADMIN").add("NET_RAW"); // NET_RAW: the legacy iptables back end
        capabilities.putArray("drop").add("ALL");
        return init;
    }

    private ObjectNode sidecar() {
        ObjectNode sidecar = JSON.objectNode();
        sidecar.put("name", InjectSettings.SIDECAR);
        sidecar.put("image", settings.sidecarImage());
        sidecar.put("restartPolicy", "Always");
        sidecar.putArray("args").add("run").add("--config").add("/etc/sluice/sluice.yaml");
        ArrayNode env = sidecar.putArray("env");
        env.addObject().put("name", "SLUICE_JOB_ID").putObject("valueFrom").putObject("fieldRef")
                .put("fieldPath", "metadata.name");
        env.addObject().put("name", "SLUICE_NODE_ID").putObject("valueFrom").putObject("fieldRef")
                .put("fieldPath", "spec.nodeName");
        sidecar.putArray("ports").addObject().put("name", "sluice-admin")
                .put("containerPort", ports.admin());
        probe(sidecar.putObject("startupProbe"), "/readyz").put("periodSeconds", 1).put("failureThreshold", 60);
        probe(sidecar.putObject("readinessProbe"), "/readyz").put("periodSeconds", 5);
        probe(sidecar.putObject("livenessProbe"), "/healthz").put("periodSeconds", 10);
        ObjectNode securityContext = sidecar.putObject("securityContext");
        securityContext.put("runAsUser", InjectSettings.SLUICE_UID);
        securityContext.put("runAsGroup", InjectSettings.SLUICE_UID);
        securityContext.put("runAsNonRoot", true);
        securityContext.put("allowPrivilegeEscalation", false);
        securityContext.put("readOnlyRootFilesystem", true);
        securityContext.putObject("capabilities").putArray("drop").add("ALL");
        ArrayNode mounts = sidecar.putArray("volumeMounts");
        mounts.addObject().put("name", "sluice-policy").put("mountPath", "/etc/sluice").put("readOnly", true);
        mounts.addObject().put("name", "sluice-audit").put("mountPath", "/var/log/sluice");
        mounts.addObject().put("name", "sluice-tmp").put("mountPath", "/tmp");
        return sidecar;
    }

    /**
     * Requests that keep Sluice off the first-evicted (BestEffort) class and a memory limit; no CPU limit, whose
     * throttling would add latency to every request. Not part of what {@link InjectedPodCheck} compares: a node may
     * patch them.
     */
    private static void resources(ObjectNode container, String cpu, String memoryRequest, String memoryLimit) {
        ObjectNode resources = container.putObject("resources");
        resources.putObject("requests").put("cpu", cpu).put("memory", memoryRequest);
        resources.putObject("limits").put("memory", memoryLimit);
    }

    private ObjectNode probe(ObjectNode probe, String path) {
        probe.putObject("httpGet").put("path", path).put("port", ports.admin());
        return probe;
    }

    /** The mapping under field, created when missing or null. */
    private static ObjectNode child(ObjectNode parent, String field) {
        JsonNode existing = parent.get(field);
        if (existing instanceof ObjectNode object) {
            return object;
        }
        if (existing != null && !existing.isNull()) {
            throw new IllegalArgumentException(field + " is not a mapping");
        }
        return parent.putObject(field);
    }

    /** The list under field, created when missing or null. */
    private static ArrayNode childList(ObjectNode parent, String field) {
        JsonNode existing = parent.get(field);
        if (existing instanceof ArrayNode array) {
            return array;
        }
        if (existing != null && !existing.isNull()) {
            throw new IllegalArgumentException(field + " is not a list");
        }
        return parent.putArray(field);
    }
}
