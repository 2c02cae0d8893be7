package org.sluice.policy.config;

import java.nio.file.Path;

/**
 * One entry of {@code gateway.upstream.headers}: a header Sluice sets on every forwarded request, after the
 * rule's allowlist has stripped the algorithm's own headers. Either a literal value, or {@code prefix} followed
 * by the content of {@code file} without its trailing line break (re-read when the file changes).
 *
 * @param name   the header name as written
 * @param value  the literal value, or null when the value comes from a file
 * @param file   the file holding the value, resolved against the config's folder; null for a literal
 * @param prefix put before the file's content (e.g. "Bearer "); "" when none
 */
public record InjectedHeader(String name, String value, Path file, String prefix) {

    /** Literal values are secrets too: never in a config's printed form. */
    @Override
    public String toString() {
        return "InjectedHeader[" + name + (file == null ? " = (literal)" : " from " + file) + "]";
    }
}
