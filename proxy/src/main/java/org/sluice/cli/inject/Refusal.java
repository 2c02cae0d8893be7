package org.sluice.cli.inject;

/**
 * Why injection refuses a pod: one container (or the pod itself) that may not run with Sluice.
 *
 * @param container the container's name, or null when the refusal is about the pod
 * @param reason    one sentence, e.g. the image check's {@code denied: IMAGE: REASON} line
 */
public record Refusal(String container, String reason) {

    /** {@code container NAME: REASON}, or {@code pod: REASON}. */
    public String line() {
        return (container == null ? "pod" : "container " + container) + ": " + reason;
    }
}
