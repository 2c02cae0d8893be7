package org.sluice.cli.inject;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What {@link PodInjector#inject} did with one Kubernetes object.
 *
 * @param object    the object to write: the injected copy, or the input itself when unchanged or refused
 * @param outcome   what happened
 * @param refusals  why it was refused, in container order; empty unless {@code outcome} is REFUSED
 */
public record Injection(JsonNode object, Outcome outcome, List<Refusal> refusals) {

    /** What happened to an object. */
    public enum Outcome {
        /** Sluice's init container, sidecar, volumes, environment and hardening were added. */
        INJECTED,
        /** It already has a container named {@value InjectSettings#SIDECAR}: left as it was. */
        ALREADY_INJECTED,
        /** Not a kind that runs pods (Service, ConfigMap, ...): left as it was. */
        NOT_A_WORKLOAD,
        /** A container may not run under the policy, or the pod would escape Sluice: nothing to write. */
        REFUSED
    }

    public Injection {
        refusals = List.copyOf(refusals);
    }

    public boolean refused() {
        return outcome == Outcome.REFUSED;
    }
}
