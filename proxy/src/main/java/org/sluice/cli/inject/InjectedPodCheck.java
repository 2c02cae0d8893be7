package org.sluice.cli.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** The check of a pod that already has a {@value InjectSettings#SIDECAR} container, against what inject adds. */
final class InjectedPodCheck {

    /** Container fields the API server fills in by default before admission; any other field must be Sluice's. */
    private static final Set<String> DEFAULTED_FIELDS = Set.of("terminationMessagePath", "terminationMessagePolicy",
            "imagePullPolicy", "resources");

    private InjectedPodCheck() {
    }

    /**
     * A pod that says it is injected must be injected as this injector would have done it: otherwise a manifest
     * (or a pod sent to the webhook) could carry a sidecar named sluice next to an init container that lets
     * another user id out, a container that runs before the rules exist, or another policy.
     */
    static void check(JsonNode spec, ObjectNode expectedInit, ObjectNode expectedSidecar, String configMapName,
            List<Refusal> refusals) {
        JsonNode init = spec.path("initContainers");
        if (init.size() < 2 || !init.get(0).path("name").asText().equals(InjectSettings.INIT)
                || !init.get(1).path("name").asText().equals(InjectSettings.SIDECAR)) {
            refusals.add(new Refusal(null, "has a " + InjectSettings.SIDECAR + " container, but the first two init "
                    + "containers are not " + InjectSettings.INIT + " and " + InjectSettings.SIDECAR + ": a container "
                    + "before them would run before the pod's traffic is filtered"));
            return;
        }
        String initDifference = difference(init.get(0), expectedInit, "");
        if (initDifference != null) {
            refusals.add(new Refusal(InjectSettings.INIT, "differs from the init container Sluice adds: "
                    + initDifference));
        }
        String sidecarDifference = difference(init.get(1), expectedSidecar, "");
        if (sidecarDifference != null) {
            refusals.add(new Refusal(InjectSettings.SIDECAR, "differs from the sidecar Sluice adds: "
                    + sidecarDifference));
        }
        for (JsonNode volume : spec.path("volumes")) {
            if (volume.path("name").asText().equals("sluice-policy")
                    && !volume.path("configMap").path("name").asText().equals(configMapName)) {
                refusals.add(new Refusal(null, "volume sluice-policy is not ConfigMap " + configMapName
                        + ", the policy Sluice must run with"));
            }
        }
    }

    /**
     * Where actual departs from expected, or null: every field of expected must be there with the same value (lists
     * of the same length, compared item by item); at the top level only defaulted fields may be added.
     */
    private static String difference(JsonNode actual, JsonNode expected, String path) {
        if (expected.isObject()) {
            if (!actual.isObject()) {
                return path + " is not a mapping";
            }
            for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                String inner = difference(actual.path(name), expected.get(name), path.isEmpty() ? name
                        : path + "." + name);
                if (inner != null) {
                    return inner;
                }
            }
            if (path.isEmpty()) {
                for (Iterator<String> names = actual.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    if (!expected.has(name) && !DEFAULTED_FIELDS.contains(name)) {
                        return "has " + name + ", which Sluice does not set";
                    }
                }
            }
            return null;
        }
        if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                return path + " is " + actual + ", expected " + expected;
            }
            for (int i = 0; i < expected.size(); i++) {
                String inner = difference(actual.get(i), expected.get(i), path + "[" + i + "]");
                if (inner != null) {
                    return inner;
                }
            }
            return null;
        }
        return actual.equals(expected) ? null : path + " is " + actual + ", expected " + expected;
    }
}
