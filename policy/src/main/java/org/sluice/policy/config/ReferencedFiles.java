package org.sluice.policy.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a policy names besides itself (JSON Schemas, fingerprint indexes), each with the SHA-256 of the bytes
 * that were read, so that the policy's hash covers what was actually loaded. docs/audit-log.md ({@code policy})
 * says how to recompute the hash with sha256sum.
 */
final class ReferencedFiles {

    /** A file as named in the policy, and the SHA-256 of the bytes read. */
    record Entry(String name, String sha256) {}

    private final List<Entry> entries = new ArrayList<>();

    /** Records a file in the order it is named in the policy (a file named twice is recorded twice). */
    void add(String name, byte[] bytes) {
        entries.add(new Entry(name, ConfigLoader.sha256(bytes)));
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * The policy's hash: the YAML's own SHA-256 when it names no file (so that hashes of existing policies do not
     * change); otherwise the SHA-256 of the text that {@code sha256sum} prints, one line per file after the YAML's
     * own hash: {@code YAMLHASH\nFILEHASH  name\n...}.
     */
    String policyHash(String yamlSha256) {
        if (entries.isEmpty()) {
            return yamlSha256;
        }
        StringBuilder text = new StringBuilder(yamlSha256).append('\n');
        for (Entry entry : entries) {
            text.append(entry.sha256()).append("  ").append(entry.name()).append('\n');
        }
        return ConfigLoader.sha256(text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
