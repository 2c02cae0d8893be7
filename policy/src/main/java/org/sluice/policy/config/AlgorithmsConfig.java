package org.sluice.policy.config;

import java.util.List;
import java.util.Objects;

/**
 * The {@code algorithms} section: which container images may run under this policy.
 *
 * @param present       false when the file has no {@code algorithms} section (then no image is allowed)
 * @param requireDigest refuse every reference without a digest; default true (a tag can be re-pointed)
 * @param allow         the entries in file order; empty when absent or written empty (then no image is allowed)
 */
public record AlgorithmsConfig(boolean present, boolean requireDigest, List<AlgorithmEntry> allow) {

    /** A config without an {@code algorithms} section. */
    public static final AlgorithmsConfig ABSENT = new AlgorithmsConfig(false, true, List.of());

    /** Copies allow. */
    public AlgorithmsConfig {
        allow = List.copyOf(Objects.requireNonNull(allow, "allow"));
    }
}
