package org.sluice.policy;

import java.util.List;
import org.sluice.policy.config.RuleConfig;

/**
 * What {@code policy explain} prints: the decision, the rule that made it, and for a request no rule matched the
 * rules that came nearest, each with why it did not match.
 *
 * @param decision the compiled policy's decision
 * @param rule     the rule that matched, or null
 * @param nearest  for a request no rule matched: up to three rules of its kind (CONNECT rules for a tunnel, the
 *                 others for a request) with the fewest failed criteria, in that order
 *                 (file order among equals); empty when a rule matched
 */
public record Explanation(Decision decision, RuleConfig rule, List<Miss> nearest) {

    /**
     * A rule that did not match, and why.
     *
     * @param rule    the rule
     * @param reasons one sentence per criterion the request failed
     */
    public record Miss(RuleConfig rule, List<String> reasons) {}
}
