package org.sluice.policy;

import java.util.ArrayList;
import java.util.List;
import org.sluice.policy.config.RuleConfig;

/**
 * The plain reading of one rule: every criterion checked in the most direct way, with a sentence for each that
 * fails. It is the reference the compiled {@link Policy} is tested against, and what {@code policy explain} shows.
 */
final class RuleCheck {

    private RuleCheck() {}

    /** Why rule does not match the request (never a tunnel); empty when it matches. */
    static List<String> misses(RuleConfig rule, Destination d, String method, String path, String query) {
        List<String> misses = destinationMisses(rule, d);
        if (rule.tunnel()) {
            misses.add("it is a CONNECT rule, which matches tunnels only, never a request with a path");
            return misses;
        }
        if (!rule.methods().contains(method)) {
            misses.add("method " + method + " is not in methods " + rule.methods());
        }
        if (rule.paths().stream().noneMatch(glob -> PathGlob.compile(glob).matches(path))) {
            misses.add("path " + path + " matches none of paths " + rule.paths());
        }
        if (rule.query() != null) {
            String refused = QueryNames.firstRefused(query, rule.query().toArray(String[]::new));
            if (refused != null) {
                misses.add("query parameter '" + refused + "' is not in query " + rule.query());
            }
        }
        return misses;
    }

    /** Why rule does not match a CONNECT tunnel to d; empty when it matches. Only CONNECT rules match tunnels. */
    static List<String> tunnelMisses(RuleConfig rule, Destination d) {
        List<String> misses = destinationMisses(rule, d);
        if (!rule.tunnel()) {
            misses.add("it is not a CONNECT rule (methods: [CONNECT]); only those match tunnels");
        }
        return misses;
    }

    private static List<String> destinationMisses(RuleConfig rule, Destination d) {
        List<String> misses = new ArrayList<>();
        if (rule.hosts() != null && rule.hosts().stream().noneMatch(h -> hostMatches(h, d.host()))) {
            misses.add("host " + d.host() + " is not in hosts " + rule.hosts());
        }
        if (rule.ports() != null && !rule.ports().contains(d.port())) {
            misses.add("port " + d.port() + " is not in ports " + rule.ports());
        }
        if (rule.schemes() != null && !rule.schemes().contains(d.scheme())) {
            misses.add("scheme " + d.scheme() + " is not in schemes " + rule.schemes());
        }
        return misses;
    }

    /** pattern is a normal-form host name, or *.suffix for any name below suffix; host is in normal form. */
    static boolean hostMatches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            return host.indexOf(':') < 0 && HostNames.isBelow(host, pattern.substring(2));
        }
        return pattern.equals(host);
    }
}
