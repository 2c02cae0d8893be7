package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.Problem;

/** Warnings name the rule, its place and what to do; a sensible policy gets none. */
class PolicyLintTest {

    private static List<String> warnings(String top, String rules) {
        return PolicyLint.warnings(RuleLanguageTest.config(top, rules)).stream().map(Problem::toString).toList();
    }

    @Test
    void aNarrowPolicyIsClean() {
        assertThat(warnings("", """
                  - name: tasks
                    methods: [GET]
                    paths: ["/api/tasks/**"]
                    query: [limit]
                  - name: results
                    methods: [POST]
                    paths: ["/api/results"]
                    hosts: [central.example.org]
                    ports: [443]
                    schemes: [https]
                """)).isEmpty();
    }

    @Test
    void emptyMethodsOrPathsNeverMatch() {
        assertThat(warnings("", """
                  - name: nothing
                    methods: []
                    paths: []
                """)).containsExactly(
                "p.yaml:6:14: rule 'nothing' has no methods, so it never matches; list the methods it allows, "
                        + "e.g. [GET]",
                "p.yaml:7:12: rule 'nothing' has no paths, so it never matches; list the paths it allows, "
                        + "e.g. [\"/api/**\"]");
    }

    @Test
    void aRuleAnEarlierRuleCoversIsReported() {
        assertThat(warnings("", """
                  - name: api
                    methods: [GET, POST]
                    paths: ["/api/**"]
                  - name: tasks
                    methods: [GET]
                    paths: ["/api/tasks/*", "/api/results"]
                    query: [limit]
                  - name: other-host
                    methods: [GET]
                    paths: ["/api/x"]
                    hosts: ["*.example.org"]
                  - name: delete
                    methods: [DELETE]
                    paths: ["/api/tasks/*"]
                """)).containsExactly("p.yaml:8:5: rule 'tasks' can never match: rule 'api' at line 5 comes first "
                + "and matches every request it would; move it above that rule, narrow that rule, or remove it",
                "p.yaml:12:5: rule 'other-host' can never match: rule 'api' at line 5 comes first and matches "
                        + "every request it would; move it above that rule, narrow that rule, or remove it");
    }

    @Test
    void narrowerEarlierRulesDoNotHideWiderLaterOnes() {
        assertThat(warnings("", """
                  - name: one-host
                    methods: [GET]
                    paths: ["/api/**"]
                    hosts: [central.example.org]
                  - name: any-host
                    methods: [GET]
                    paths: ["/api/*"]
                  - name: query-limited
                    methods: [POST]
                    paths: ["/api/**"]
                    query: [a]
                  - name: any-query
                    methods: [POST]
                    paths: ["/api/x"]
                  - name: json
                    methods: [PUT]
                    paths: ["/files/*.json"]
                  - name: any-file
                    methods: [PUT]
                    paths: ["/files/*"]
                """)).isEmpty();
    }

    @Test
    void everyPathInEnforceModeIsReportedButNotInReportMode() {
        assertThat(warnings("", """
                  - name: wide
                    methods: [GET]
                    paths: ["/**"]
                  - name: wide-report
                    methods: [POST]
                    paths: ["/**"]
                    mode: report
                """)).containsExactly("p.yaml:7:12: rule 'wide' allows every path on any host it is sent to (for "
                + "the gateway: central.example.org) in enforce mode; list the paths the algorithm needs, or set "
                + "mode: report on the rule while you find out");
    }

    @Test
    void rulesForOtherDestinationsAreUnreachableThroughTheGateway() {
        List<String> warnings = warnings("allowNetworkAccess: false\n", """
                  - name: mirror
                    methods: [GET]
                    paths: ["/simple/**"]
                    hosts: [pypi-mirror.example.org]
                  - name: plain-http
                    methods: [GET]
                    paths: ["/api/**"]
                    schemes: [http]
                """);
        assertThat(warnings).containsExactly("p.yaml:6:5: rule 'mirror' can never match: allowNetworkAccess is "
                + "false, so only the gateway's upstream https://central.example.org:443 is reachable, and its "
                + "hosts [pypi-mirror.example.org] do not include central.example.org",
                "p.yaml:10:5: rule 'plain-http' can never match: allowNetworkAccess is false, so only the "
                        + "gateway's upstream https://central.example.org:443 is reachable, and its schemes [http] "
                        + "do not include https");
    }
}
