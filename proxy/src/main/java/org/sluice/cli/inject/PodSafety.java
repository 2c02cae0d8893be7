package org.sluice.cli.inject;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.sluice.policy.image.AlgorithmAllowlist;
import org.sluice.policy.image.ImageCheck;

/**
 * What a pod template may not have for Sluice to be its only way out: the refusals {@code sluice inject} and both
 * admission webhooks share. The lock (docs/threat-model.md, "What the pod lock assumes") holds only when the
 * algorithm's processes cannot become Sluice's user id, change or skip the init container's rules, share a
 * namespace with the node or with Sluice, or steer the names Sluice resolves. Immutable and thread-safe.
 */
final class PodSafety {

    /** Volume types the node mounts from its own side (over its own network, or from its own files). */
    private static final Set<String> NODE_MOUNTED_VOLUMES = Set.of("nfs", "iscsi", "glusterfs", "rbd", "cephfs",
            "cinder", "fc", "flexVolume", "flocker", "gitRepo", "quobyte", "azureFile", "azureDisk",
            "vsphereVolume", "portworxVolume", "scaleIO", "storageos", "photonPersistentDisk", "gcePersistentDisk",
            "awsElasticBlockStore");
    private static final String GROUP_WHY = " is Sluice's group: files of that group (its audit log, a signing "
            + "key) would be the algorithm's to read";

    private final InjectSettings settings;
    private final AlgorithmAllowlist allowlist;

    PodSafety(InjectSettings settings, AlgorithmAllowlist allowlist) {
        this.settings = settings;
        this.allowlist = allowlist;
    }

    /** Every refusal of the pod template (metadata + spec), in field order; empty when it may run with Sluice. */
    List<Refusal> check(JsonNode template, boolean injected) {
        JsonNode spec = template.path("spec");
        List<Refusal> refusals = new ArrayList<>();
        checkHostAndDns(spec, refusals);
        String shape = shapeProblem(template);
        if (shape != null) {
            refusals.add(new Refusal(null, shape));
            return refusals;
        }
        checkGroups(null, spec.path("securityContext"), "securityContext", refusals);
        checkVolumes(spec, injected, refusals);
        JsonNode podRunAsUser = spec.path("securityContext").path("runAsUser");
        for (String field : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode container : spec.path(field)) {
                String name = container.path("name").asText("?");
                if (name.equals(InjectSettings.SIDECAR) || name.equals(InjectSettings.INIT)) {
                    String image = container.path("image").asText("");
                    if (!image.equals(settings.sidecarImage())) {
                        refusals.add(new Refusal(name, "has the name of Sluice's own container but runs image '"
                                + image + "', not the Sluice image '" + settings.sidecarImage() + "'"));
                    }
                    continue;
                }
                checkAlgorithm(name, container, podRunAsUser, refusals);
            }
        }
        return refusals;
    }

    private static void checkHostAndDns(JsonNode spec, List<Refusal> refusals) {
        if (spec.path("hostNetwork").asBoolean(false)) {
            refusals.add(new Refusal(null, "hostNetwork: true: the pod would share the node's network, which "
                    + "the init container's rules would change and Sluice could not filter"));
        }
        if (spec.path("hostPID").asBoolean(false)) {
            refusals.add(new Refusal(null, "hostPID: true: the pod would share the node's process namespace: the "
                    + "algorithm would see the node's processes, and through /proc the files and network namespaces "
                    + "of any that run as its user id"));
        }
        if (spec.path("hostIPC").asBoolean(false)) {
            refusals.add(new Refusal(null, "hostIPC: true: the pod would share the node's IPC namespace: shared "
                    + "memory and message queues with the node's processes are a way out that no network rule sees"));
        }
        if (spec.path("shareProcessNamespace").asBoolean(false)) {
            refusals.add(new Refusal(null, "shareProcessNamespace: true: the algorithm's processes would share one "
                    + "process namespace with Sluice's: it could see them, and with any capability or a process of "
                    + "Sluice's user id reach their files and sockets through /proc"));
        }
        if (present(spec.path("hostAliases"))) {
            refusals.add(new Refusal(null, "hostAliases: writes names into the /etc/hosts of every container, "
                    + "Sluice's too: the central server's name could be pointed at another address, which Sluice "
                    + "would then connect to"));
        }
        if (spec.path("dnsPolicy").asText("").equals("None")) {
            refusals.add(new Refusal(null, "dnsPolicy: None: replaces the cluster's DNS with servers the manifest "
                    + "chooses, which Sluice would resolve the central server's name with"));
        }
        if (present(spec.path("dnsConfig"))) {
            refusals.add(new Refusal(null, "dnsConfig: changes the /etc/resolv.conf Sluice resolves names with "
                    + "(nameservers, search domains, options): the manifest would choose where names lead"));
        }
    }

    private static boolean present(JsonNode node) {
        return !node.isMissingNode() && !node.isNull() && !(node.isContainerNode() && node.isEmpty());
    }

    /** runAsGroup, fsGroup and supplementalGroups (pod) or runAsGroup (container): never Sluice's group. */
    private static void checkGroups(String container, JsonNode securityContext, String where,
            List<Refusal> refusals) {
        for (String field : List.of("runAsGroup", "fsGroup")) {
            JsonNode group = securityContext.path(field);
            if (group.isIntegralNumber() && group.asLong() == InjectSettings.SLUICE_UID) {
                refusals.add(new Refusal(container, where + "." + field + ": " + InjectSettings.SLUICE_UID
                        + GROUP_WHY));
            }
        }
        for (JsonNode group : securityContext.path("supplementalGroups")) {
            if (group.isIntegralNumber() && group.asLong() == InjectSettings.SLUICE_UID) {
                refusals.add(new Refusal(container, where + ".supplementalGroups: " + InjectSettings.SLUICE_UID
                        + GROUP_WHY));
            }
        }
    }

    private static void checkVolumes(JsonNode spec, boolean injected, List<Refusal> refusals) {
        for (JsonNode volume : spec.path("volumes")) {
            String name = volume.path("name").asText("");
            if (!injected && PodInjector.OWN_VOLUMES.contains(name)) {
                refusals.add(new Refusal(null, "volume " + name + " exists already, and Sluice adds a volume "
                        + "of that name"));
            }
            if (volume.has("hostPath")) {
                refusals.add(new Refusal(null, "volume " + name + ": hostPath: a path of the node in the pod (a "
                        + "container runtime's socket starts containers outside the lock; node files are no "
                        + "algorithm's to read)"));
            }
            for (Iterator<String> types = volume.fieldNames(); types.hasNext(); ) {
                String type = types.next();
                if (NODE_MOUNTED_VOLUMES.contains(type)) {
                    refusals.add(new Refusal(null, "volume " + name + ": " + type + ": the node mounts it over its "
                            + "own network, so what the algorithm writes there leaves without Sluice (use a "
                            + "persistentVolumeClaim the node operator provides)"));
                }
            }
        }
    }

    private void checkAlgorithm(String name, JsonNode container, JsonNode podRunAsUser, List<Refusal> refusals) {
        JsonNode image = container.path("image");
        if (!image.isTextual() || image.asText().isBlank()) {
            refusals.add(new Refusal(name, "has no image, so the policy's algorithms list cannot allow it"));
        } else {
            ImageCheck check = allowlist.check(image.asText());
            if (!check.allowed()) {
                refusals.add(new Refusal(name, check.line()));
            }
        }
        JsonNode securityContext = container.path("securityContext");
        JsonNode runAsUser = securityContext.has("runAsUser") ? securityContext.get("runAsUser") : podRunAsUser;
        if (runAsUser.isIntegralNumber() && runAsUser.asLong() == 0) {
            refusals.add(new Refusal(name, "runs as root (runAsUser: 0); an algorithm container runs as a "
                    + "non-root user"));
        } else if (runAsUser.isIntegralNumber() && runAsUser.asLong() == InjectSettings.SLUICE_UID) {
            refusals.add(new Refusal(name, "runs as user id " + InjectSettings.SLUICE_UID + ", Sluice's, whose "
                    + "traffic the init container's rules let out of the pod"));
        }
        checkGroups(name, securityContext, "securityContext", refusals);
        if (securityContext.path("privileged").asBoolean(false)) {
            refusals.add(new Refusal(name, "is privileged: it could change the pod's iptables rules"));
        }
        if (securityContext.path("allowPrivilegeEscalation").asBoolean(false)) {
            refusals.add(new Refusal(name, "sets allowPrivilegeEscalation: true: a set-user-ID file could give it "
                    + "Sluice's user id"));
        }
        JsonNode added = securityContext.path("capabilities").path("add");
        if (added.isArray() && !added.isEmpty()) {
            List<String> names = new ArrayList<>();
            added.forEach(capability -> names.add(capability.asText()));
            refusals.add(new Refusal(name, "adds capabilities " + names + "; an algorithm container runs with "
                    + "none (NET_ADMIN or NET_RAW would let it change or skip the rules, SETUID take Sluice's "
                    + "user id)"));
        }
        for (JsonNode mount : container.path("volumeMounts")) {
            String volume = mount.path("name").asText("");
            if (PodInjector.OWN_VOLUMES.contains(volume)) {
                refusals.add(new Refusal(name, "mounts volume " + volume + ", one of Sluice's own: its policy, "
                        + "audit log and temporary files are no algorithm's to read or change"));
            }
        }
    }

    /** What keeps the transform from working on this pod template, or null when its shape is fine. */
    private static String shapeProblem(JsonNode template) {
        if (!template.isObject() || !template.path("spec").isObject()) {
            return "has no pod template (no mapping where its kind keeps the pod's spec)";
        }
        if (!template.path("metadata").isMissingNode() && !template.path("metadata").isObject()
                && !template.path("metadata").isNull()) {
            return "the pod template's metadata is not a mapping";
        }
        JsonNode spec = template.path("spec");
        for (String field : List.of("initContainers", "containers", "ephemeralContainers", "volumes")) {
            JsonNode list = spec.path(field);
            if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
                return "spec." + field + " is not a list";
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode item = list.get(i);
                if (!item.isObject()) {
                    return "spec." + field + "[" + i + "] is not a mapping";
                }
                for (String mapping : List.of("securityContext", "metadata")) {
                    JsonNode value = item.path(mapping);
                    if (!value.isMissingNode() && !value.isNull() && !value.isObject()) {
                        return "spec." + field + "[" + i + "]." + mapping + " is not a mapping";
                    }
                }
                if (!item.path("env").isMissingNode() && !item.path("env").isNull() && !item.path("env").isArray()) {
                    return "spec." + field + "[" + i + "].env is not a list";
                }
            }
        }
        if (spec.path("containers").isEmpty()) {
            return "the pod has no containers";
        }
        return null;
    }
}
