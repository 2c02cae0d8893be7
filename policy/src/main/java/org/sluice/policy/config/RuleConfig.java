package org.sluice.policy.config;

import java.util.List;
import java.util.Map;
import org.sluice.policy.Mode;

/**
 * One rule as written: first match wins. A criterion that is null was not written and matches anything.
 *
 * @param name     unique within the file
 * @param methods  upper-cased HTTP method tokens (empty: the rule matches nothing; lint warns)
 * @param paths    validated globs, each starting with '/' (empty: the rule matches nothing, lint warns; always
 *                 empty for a CONNECT rule, which has no paths)
 * @param hosts    host names in normal form, or {@code *.suffix} wildcards; null = any host
 * @param ports    ports 1..65535; null = any port
 * @param schemes  "http" and/or "https"; null = any scheme
 * @param query    the query parameter names a request may carry; null = any query, empty = no query at all
 * @param headers  request header names forwarded besides the default set (lower case); empty when none
 * @param mode     the rule's own mode, or null to use the policy's
 * @param limits   body limit overrides, or null when the rule has none
 * @param content  content checks on what the request carries, or null when the rule has none
 * @param position where the rule starts in the file
 * @param keys     where each key's value starts in the file, by key name
 */
public record RuleConfig(String name, List<String> methods, List<String> paths, List<String> hosts,
                         List<Integer> ports, List<String> schemes, List<String> query, List<String> headers,
                         Mode mode, LimitOverrides limits, ContentConfig content, Position position,
                         Map<String, Position> keys) {

    /** A rule without content checks. */
    public RuleConfig(String name, List<String> methods, List<String> paths, List<String> hosts, List<Integer> ports,
                      List<String> schemes, List<String> query, List<String> headers, Mode mode,
                      LimitOverrides limits, Position position, Map<String, Position> keys) {
        this(name, methods, paths, hosts, ports, schemes, query, headers, mode, limits, null, position, keys);
    }

    /** A rule with only methods and paths, as tests and benchmarks build them. */
    public static RuleConfig of(String name, List<String> methods, List<String> paths, Position position) {
        return new RuleConfig(name, methods, paths, null, null, null, null, List.of(), null, null, position,
                Map.of());
    }

    /**
     * True for a CONNECT rule ({@code methods: [CONNECT]}): it matches tunnels by host, port and scheme alone, and
     * never a request with a method and path of its own; every other rule never matches a tunnel.
     */
    public boolean tunnel() {
        return methods.size() == 1 && methods.get(0).equals("CONNECT");
    }

    /** Where key's value is written, else where the rule starts. */
    public Position positionOf(String key) {
        return keys.getOrDefault(key, position);
    }
}
