package org.sluice.policy;

/**
 * Either ok (path != null, error == null) or refused (path == null, error = one sentence for a 400).
 *
 * @param path  the normalised path, or null when refused
 * @param error why the path was refused, or null when ok
 */
public record NormalizedPath(String path, String error) {

    /** True when the path was accepted and {@link #path()} holds its normal form. */
    public boolean ok() {
        return error == null;
    }
}
