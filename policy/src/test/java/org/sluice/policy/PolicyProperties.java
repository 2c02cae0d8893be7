package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.sluice.policy.config.AlgorithmsConfig;
import org.sluice.policy.config.GatewayConfig;
import org.sluice.policy.config.Limits;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;

class PolicyProperties {

    record Rule(List<String> methods, List<String> globs) {}

    @Provide
    Arbitrary<List<Rule>> rules() {
        Arbitrary<String> glob = Arbitraries.of("a", "b", "ab", "", "*", "**", "a*", "*b")
                .list().ofMinSize(1).ofMaxSize(4).map(s -> "/" + String.join("/", s));
        Arbitrary<List<String>> methods = Arbitraries.of("GET", "POST", "PUT").set().ofMinSize(1).map(List::copyOf);
        return Combinators.combine(methods, glob.list().ofMinSize(1).ofMaxSize(3)).as(Rule::new)
                .list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<String>> paths() {
        return Arbitraries.of("a", "b", "ab", "ba", "")
                .list().ofMinSize(1).ofMaxSize(5).map(s -> "/" + String.join("/", s))
                .list().ofMinSize(1).ofMaxSize(6);
    }

    /** The index by first segment must not change which rule wins: compare with a plain first-match scan. */
    @Property(tries = 3000)
    void decideAgreesWithLinearFirstMatchScan(@ForAll("rules") List<Rule> rules,
                                              @ForAll("paths") List<String> paths,
                                              @ForAll boolean report) {
        List<RuleConfig> configs = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            configs.add(RuleConfig.of("r" + i, rules.get(i).methods(), rules.get(i).globs(), null));
        }
        Mode mode = report ? Mode.REPORT : Mode.ENFORCE;
        Policy policy = Policy.compile(new SluiceConfig(Path.of("p.yaml"), "0".repeat(64), 1, mode, true,
                (GatewayConfig) null, null, Limits.DEFAULTS, null, configs, AlgorithmsConfig.ABSENT, List.of()));
        for (String path : paths) {
            for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
                String expected = null;
                for (int i = 0; i < rules.size() && expected == null; i++) {
                    Rule rule = rules.get(i);
                    if (rule.methods().contains(method) && rule.globs().stream()
                            .anyMatch(g -> PathGlobProperties.referenceRegex(g).matcher(path).matches())) {
                        expected = "r" + i;
                    }
                }
                Decision decision = PolicyTest.decide(policy, method, path);
                assertThat(decision.rule()).as("%s %s", method, path).isEqualTo(expected);
                Verdict noMatch = report ? Verdict.REPORT : Verdict.DENY;
                assertThat(decision.verdict()).isEqualTo(expected == null ? noMatch : Verdict.ALLOW);
            }
        }
    }
}
