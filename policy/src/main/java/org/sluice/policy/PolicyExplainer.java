package org.sluice.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;

/**
 * Explains decisions rule by rule, with the plain reference matcher ({@link RuleCheck}) rather than the compiled
 * indexes: slow, and independent of them, so the two can be checked against each other.
 */
public final class PolicyExplainer {

    private static final int NEAREST = 3;

    private final SluiceConfig config;
    private final Policy policy;

    /** Explains decisions of policy, which must be compiled from config. */
    public PolicyExplainer(SluiceConfig config, Policy policy) {
        this.config = config;
        this.policy = policy;
    }

    /** The decision for one request, the rule behind it, and for a request no rule matched the nearest rules. */
    public Explanation explain(Destination d, String method, String normalizedPath, String rawQuery) {
        Decision decision = policy.decide(d, method, normalizedPath, rawQuery);
        RuleConfig matched = firstMatch(d, method, normalizedPath, rawQuery);
        if (matched != null || (d.listener() == Listener.FORWARD && !config.allowNetworkAccess())) {
            return new Explanation(decision, matched, List.of());
        }
        List<Explanation.Miss> misses = new ArrayList<>();
        for (RuleConfig rule : config.rules()) {
            if (!rule.tunnel()) {
                misses.add(new Explanation.Miss(rule, RuleCheck.misses(rule, d, method, normalizedPath, rawQuery)));
            }
        }
        List<Explanation.Miss> nearest = misses.stream()
                .sorted(Comparator.comparingInt(miss -> miss.reasons().size()))
                .limit(NEAREST)
                .toList();
        return new Explanation(decision, null, nearest);
    }

    /**
     * The decision for one CONNECT tunnel, the CONNECT rule behind it, and for a tunnel no rule matched the nearest
     * CONNECT rules (other rules never match a tunnel, so they are not near).
     */
    public Explanation explainTunnel(Destination d) {
        Decision decision = policy.decideTunnel(d);
        RuleConfig matched = firstTunnelMatch(d);
        if (matched != null || !config.allowNetworkAccess()) {
            return new Explanation(decision, matched, List.of());
        }
        List<Explanation.Miss> nearest = config.rules().stream()
                .filter(RuleConfig::tunnel)
                .map(rule -> new Explanation.Miss(rule, RuleCheck.tunnelMisses(rule, d)))
                .sorted(Comparator.comparingInt(miss -> miss.reasons().size()))
                .limit(NEAREST)
                .toList();
        return new Explanation(decision, null, nearest);
    }

    /**
     * The first CONNECT rule in file order that matches a tunnel to d, by the reference matcher; null when none
     * does or when allowNetworkAccess: false shuts the forward listener.
     */
    public RuleConfig firstTunnelMatch(Destination d) {
        if (!config.allowNetworkAccess()) {
            return null;
        }
        for (RuleConfig rule : config.rules()) {
            if (RuleCheck.tunnelMisses(rule, d).isEmpty()) {
                return rule;
            }
        }
        return null;
    }

    /**
     * The first rule in file order whose every criterion holds, by the reference matcher; null when none does or
     * when allowNetworkAccess: false shuts the forward listener.
     */
    public RuleConfig firstMatch(Destination d, String method, String normalizedPath, String rawQuery) {
        if (d.listener() == Listener.FORWARD && !config.allowNetworkAccess()) {
            return null;
        }
        for (RuleConfig rule : config.rules()) {
            if (RuleCheck.misses(rule, d, method, normalizedPath, rawQuery).isEmpty()) {
                return rule;
            }
        }
        return null;
    }
}
