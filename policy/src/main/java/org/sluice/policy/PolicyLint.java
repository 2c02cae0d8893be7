package org.sluice.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.sluice.policy.config.Position;
import org.sluice.policy.config.Problem;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.config.UpstreamConfig;

/**
 * Warnings about a valid config that probably does not do what its author meant: rules that can never match, and
 * rules that allow a whole host. Errors are the loader's; these never stop Sluice from starting.
 */
public final class PolicyLint {

    private PolicyLint() {}

    /** Every warning, in file order, each at the place it is about. */
    public static List<Problem> warnings(SluiceConfig config) {
        List<Problem> warnings = new ArrayList<>();
        List<RuleConfig> rules = config.rules();
        List<PathGlob[]> globs = rules.stream()
                .map(rule -> rule.paths().stream().map(PathGlob::compile).toArray(PathGlob[]::new))
                .toList();
        UpstreamConfig upstream = config.gateway() == null ? null : config.gateway().upstream();
        // Null for a forward-only config: the config reader has made sure its forward listener is open.
        Destination gateway = upstream == null ? null : Destination.gateway(upstream.scheme(), upstream.host(),
                upstream.port());
        for (int j = 0; j < rules.size(); j++) {
            RuleConfig rule = rules.get(j);
            String label = "rule '" + rule.name() + "'";
            if (rule.methods().isEmpty()) {
                warnings.add(new Problem(rule.positionOf("methods"),
                        label + " has no methods, so it never matches; list the methods it allows, e.g. [GET]"));
            }
            if (rule.paths().isEmpty() && !rule.tunnel()) {
                warnings.add(new Problem(rule.positionOf("paths"),
                        label + " has no paths, so it never matches; list the paths it allows, e.g. [\"/api/**\"]"));
            }
            String unreachable = unreachable(rule, gateway, config);
            if (unreachable != null) {
                warnings.add(new Problem(rule.position(), label + " can never match: " + unreachable));
            }
            if (rule.tunnel() && rule.hosts() == null && rule.mode() != Mode.REPORT) {
                warnings.add(new Problem(rule.position(), label + " has no hosts, so it lets a tunnel to any host "
                        + "that passes the address checks" + (rule.ports() == null ? " on any port" : "")
                        + "; list the hosts it may reach under hosts"));
            }
            for (int i = 0; i < j && !rule.methods().isEmpty() && (!rule.paths().isEmpty() || rule.tunnel()); i++) {
                if (covers(rules.get(i), globs.get(i), rule, globs.get(j))) {
                    RuleConfig earlier = rules.get(i);
                    warnings.add(new Problem(rule.position(), label + " can never match: rule '" + earlier.name()
                            + "' at line " + earlier.position().line() + " comes first and matches every request "
                            + "it would; move it above that rule, narrow that rule, or remove it"));
                    break;
                }
            }
            if (rule.mode() != Mode.REPORT && rule.paths().contains("/**")) {
                String where = rule.hosts() != null ? String.join(", ", rule.hosts())
                        : gateway == null ? "any host it is sent to"
                        : "any host it is sent to (for the gateway: " + gateway.host() + ")";
                warnings.add(new Problem(rule.positionOf("paths"), label + " allows every path on " + where
                        + " in enforce mode; list the paths the algorithm needs, or set mode: report on the rule "
                        + "while you find out"));
            }
        }
        if (config.forward() != null && !config.allowNetworkAccess()) {
            warnings.add(new Problem(new Position(config.source(), 1, 1), "forward is configured but "
                    + "allowNetworkAccess is false, so every forward request is denied; remove forward, or set "
                    + "allowNetworkAccess: true"));
        }
        warnings.sort(Comparator.comparingInt((Problem p) -> p.position().line())
                .thenComparingInt(p -> p.position().column()));
        return List.copyOf(warnings);
    }

    /**
     * Why the rule cannot match any request this config can receive, or null. When the forward listener is absent
     * or shut by allowNetworkAccess: false, only the gateway's upstream is reachable, so a rule must cover it, and a
     * CONNECT rule never matches (the gateway takes no tunnels).
     */
    private static String unreachable(RuleConfig rule, Destination gateway, SluiceConfig config) {
        boolean allowNetworkAccess = config.allowNetworkAccess();
        if (gateway == null) {
            return !rule.tunnel() && rule.schemes() != null && !rule.schemes().contains("http")
                    ? "the forward listener takes https only as CONNECT tunnels, which only a CONNECT rule "
                    + "(methods: [CONNECT]) matches, and this config has no gateway; allow https destinations with a "
                    + "CONNECT rule" : null;
        }
        List<String> misses = gatewayMisses(rule, gateway);
        if (config.forward() != null && allowNetworkAccess) {
            if (!rule.tunnel() && rule.schemes() != null && !rule.schemes().contains("http") && !misses.isEmpty()) {
                return "the forward listener takes https only as CONNECT tunnels, which only a CONNECT rule "
                        + "(methods: [CONNECT]) matches, and the gateway's upstream " + gateway + " is not covered "
                        + "(its " + String.join("; its ", misses) + "); allow https destinations with a CONNECT rule";
            }
            return null;
        }
        if (rule.tunnel()) {
            return allowNetworkAccess ? "it is a CONNECT rule and this config has no forward listener, the only one "
                    + "that takes tunnels; add a forward section or remove the rule"
                    : "it is a CONNECT rule and allowNetworkAccess is false, so every tunnel is denied";
        }
        if (misses.isEmpty()) {
            return null;
        }
        String why = allowNetworkAccess ? "this config has no forward listener, so" : "allowNetworkAccess is false, so";
        return why + " only the gateway's upstream " + gateway + " is reachable, and its " + String.join("; its ",
                misses);
    }

    /** The rule's hosts, ports and schemes that exclude the gateway's upstream, one phrase each. */
    private static List<String> gatewayMisses(RuleConfig rule, Destination gateway) {
        List<String> misses = new ArrayList<>();
        if (rule.hosts() != null && rule.hosts().stream().noneMatch(h -> RuleCheck.hostMatches(h, gateway.host()))) {
            misses.add("hosts " + rule.hosts() + " do not include " + gateway.host());
        }
        if (rule.ports() != null && !rule.ports().contains(gateway.port())) {
            misses.add("ports " + rule.ports() + " do not include " + gateway.port());
        }
        if (rule.schemes() != null && !rule.schemes().contains(gateway.scheme())) {
            misses.add("schemes " + rule.schemes() + " do not include " + gateway.scheme());
        }
        return misses;
    }

    /** True when every request rule b matches is matched by a (so b, coming after a, never decides). */
    static boolean covers(RuleConfig a, PathGlob[] aGlobs, RuleConfig b, PathGlob[] bGlobs) {
        if (a.tunnel() != b.tunnel() || !a.methods().containsAll(b.methods()) || !superset(a.ports(), b.ports())
                || !superset(a.schemes(), b.schemes()) || !superset(a.query(), b.query())) {
            return false;
        }
        if (a.hosts() != null && (b.hosts() == null
                || !b.hosts().stream().allMatch(bh -> a.hosts().stream().anyMatch(ah -> hostCovers(ah, bh))))) {
            return false;
        }
        for (PathGlob bGlob : bGlobs) {
            boolean covered = false;
            for (PathGlob aGlob : aGlobs) {
                covered |= aGlob.covers(bGlob);
            }
            if (!covered) {
                return false;
            }
        }
        return true;
    }

    /** null is "anything"; a list covers only a list it contains. */
    private static <T> boolean superset(List<T> a, List<T> b) {
        return a == null || (b != null && a.containsAll(b));
    }

    /** True when host entry a matches every host entry b matches. */
    private static boolean hostCovers(String a, String b) {
        if (!b.startsWith("*.")) {
            return RuleCheck.hostMatches(a, b);
        }
        // A wildcard is covered by the same wildcard or by one for a domain above it.
        return a.startsWith("*.") && (a.equals(b) || HostNames.isBelow(b.substring(2), a.substring(2)));
    }
}
