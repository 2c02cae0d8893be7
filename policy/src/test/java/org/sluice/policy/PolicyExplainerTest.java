package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sluice.policy.config.SluiceConfig;

class PolicyExplainerTest {

    private static final Destination GATEWAY = Destination.gateway("https", "central.example.org", 443);

    private final SluiceConfig config = RuleLanguageTest.config("", """
              - name: tasks
                methods: [GET]
                paths: ["/api/tasks/**"]
                query: [limit]
              - name: results
                methods: [POST]
                paths: ["/api/results"]
              - name: mirror
                methods: [GET]
                paths: ["/simple/**"]
                hosts: [mirror.example.org]
            """);
    private final PolicyExplainer explainer = new PolicyExplainer(config, Policy.compile(config));

    @Test
    void anAllowedRequestNamesItsRuleAndNoNearest() {
        Explanation e = explainer.explain(GATEWAY, "GET", "/api/tasks/7", "limit=3");
        assertThat(e.decision().verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(e.rule().name()).isEqualTo("tasks");
        assertThat(e.nearest()).isEmpty();
    }

    @Test
    void aDeniedRequestListsTheNearestRulesFewestMissesFirstWithEveryReason() {
        Explanation e = explainer.explain(GATEWAY, "GET", "/api/tasks/7", "limit=3&dump=all");
        assertThat(e.decision().verdict()).isEqualTo(Verdict.DENY);
        assertThat(e.rule()).isNull();
        assertThat(e.nearest()).extracting(m -> m.rule().name()).containsExactly("tasks", "results", "mirror");
        assertThat(e.nearest().get(0).reasons())
                .containsExactly("query parameter 'dump' is not in query [limit]");
        assertThat(e.nearest().get(1).reasons()).containsExactly("method GET is not in methods [POST]",
                "path /api/tasks/7 matches none of paths [/api/results]");
        assertThat(e.nearest().get(2).reasons()).containsExactly(
                "host central.example.org is not in hosts [mirror.example.org]",
                "path /api/tasks/7 matches none of paths [/simple/**]");
    }
}
