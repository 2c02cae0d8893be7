package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.Problem;
import org.sluice.policy.config.SluiceConfig;

/** The version-1 rule language: what each criterion matches, and how a config that misuses one is refused. */
class RuleLanguageTest {

    private static final Destination GATEWAY = Destination.gateway("https", "central.example.org", 443);

    static SluiceConfig config(String top, String rules) {
        String yaml = "version: 1\n" + top
                + "gateway: {listen: 127.0.0.1:0, upstream: https://central.example.org}\n"
                + "audit: {path: audit.jsonl}\n"
                + "rules:\n" + rules;
        try {
            return ConfigLoader.parse(yaml, Path.of("p.yaml"));
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    static List<String> problems(String rules) {
        try {
            config("", rules);
        } catch (AssertionError e) {
            ConfigException cause = (ConfigException) e.getCause();
            return cause.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("expected problems for:\n" + rules);
    }

    private static Destination forward(String scheme, String host, int port) {
        return new Destination(Listener.FORWARD, scheme, HostNames.normalize(host), port);
    }

    private static String rule(Policy policy, Destination d, String method, String path, String query) {
        return policy.decide(d, method, path, query).rule();
    }

    @Test
    void exactHostsMatchCaseInsensitivelyWithoutTrailingDotAndInPunycode() {
        Policy policy = Policy.compile(config("", """
                  - name: mirror
                    methods: [GET]
                    paths: ["/simple/**"]
                    hosts: [Mirror.Example.ORG., bücher.example]
                """));
        assertThat(rule(policy, forward("https", "mirror.example.org", 443), "GET", "/simple/x", null))
                .isEqualTo("mirror");
        assertThat(rule(policy, forward("https", "MIRROR.example.org.", 443), "GET", "/simple/x", null))
                .isEqualTo("mirror");
        assertThat(rule(policy, forward("https", "xn--bcher-kva.example", 443), "GET", "/simple/x", null))
                .isEqualTo("mirror");
        assertThat(rule(policy, forward("https", "bücher.example", 443), "GET", "/simple/x", null))
                .isEqualTo("mirror");
        assertThat(rule(policy, forward("https", "mirror.example.org.evil.net", 443), "GET", "/simple/x", null))
                .isNull();
        assertThat(rule(policy, forward("https", "evilmirror.example.org", 443), "GET", "/simple/x", null)).isNull();
        assertThat(rule(policy, forward("https", "a.mirror.example.org", 443), "GET", "/simple/x", null)).isNull();
    }

    @Test
    void wildcardMatchesNamesBelowTheSuffixButNotTheSuffixOrLookAlikes() {
        Policy policy = Policy.compile(config("", """
                  - name: results
                    methods: [PUT]
                    paths: ["/**"]
                    hosts: ["*.example.org"]
                """));
        Destination below = forward("https", "results.example.org", 443);
        assertThat(rule(policy, below, "PUT", "/a", null)).isEqualTo("results");
        assertThat(rule(policy, forward("https", "a.b.example.org", 443), "PUT", "/a", null)).isEqualTo("results");
        for (String lookAlike : List.of("example.org", "example.org.evil.net", "evilexample.org",
                "results.example.org.evil.net", "results.example.orgx", "xexample.org", "results-example.org")) {
            assertThat(rule(policy, forward("https", lookAlike, 443), "PUT", "/a", null)).as(lookAlike).isNull();
        }
    }

    @Test
    void withoutHostsARuleMatchesAnyHostAndTheGatewayUpstream() {
        Policy policy = Policy.compile(config("", """
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """));
        assertThat(rule(policy, GATEWAY, "GET", "/api/x", null)).isEqualTo("api");
        assertThat(rule(policy, forward("http", "anything.example.net", 8080), "GET", "/api/x", null))
                .isEqualTo("api");
    }

    @Test
    void portsAndSchemesNarrowARule() {
        Policy policy = Policy.compile(config("", """
                  - name: tls-only
                    methods: [GET]
                    paths: ["/**"]
                    hosts: [central.example.org]
                    ports: [443]
                    schemes: [HTTPS]
                """));
        assertThat(rule(policy, GATEWAY, "GET", "/x", null)).isEqualTo("tls-only");
        assertThat(rule(policy, forward("http", "central.example.org", 443), "GET", "/x", null)).isNull();
        assertThat(rule(policy, forward("https", "central.example.org", 8443), "GET", "/x", null)).isNull();
    }

    @Test
    void queryAllowlistNamesEveryParameterARequestMayCarry() {
        Policy policy = Policy.compile(config("", """
                  - name: tasks
                    methods: [GET]
                    paths: ["/api/tasks"]
                    query: [limit, offset]
                  - name: no-query
                    methods: [GET]
                    paths: ["/api/health"]
                    query: []
                """));
        assertThat(rule(policy, GATEWAY, "GET", "/api/tasks", null)).isEqualTo("tasks");
        assertThat(rule(policy, GATEWAY, "GET", "/api/tasks", "")).isEqualTo("tasks");
        assertThat(rule(policy, GATEWAY, "GET", "/api/tasks", "limit=10&offset=20")).isEqualTo("tasks");
        assertThat(rule(policy, GATEWAY, "GET", "/api/tasks", "limit=10&&offset")).isEqualTo("tasks");
        assertThat(rule(policy, GATEWAY, "GET", "/api/tasks", "limit=10&data=c2VjcmV0")).isNull();
        assertThat(rule(policy, GATEWAY, "GET", "/api/tasks", "Limit=1")).isNull();
        // Names compare as sent: an encoded name is not the allowed one (this can only deny).
        assertThat(rule(policy, GATEWAY, "GET", "/api/tasks", "%6Cimit=1")).isNull();
        assertThat(rule(policy, GATEWAY, "GET", "/api/health", null)).isEqualTo("no-query");
        assertThat(rule(policy, GATEWAY, "GET", "/api/health", "x")).isNull();
    }

    @Test
    void aRuleInReportModeLetsThroughAndReports() {
        Policy policy = Policy.compile(config("", """
                  - name: tasks
                    methods: [GET]
                    paths: ["/api/tasks/**"]
                  - name: old-wide-rule
                    methods: [GET, POST]
                    paths: ["/**"]
                    mode: report
                """));
        assertThat(policy.decide(GATEWAY, "GET", "/api/tasks/1", null).verdict()).isEqualTo(Verdict.ALLOW);
        Decision reported = policy.decide(GATEWAY, "POST", "/anything", null);
        assertThat(reported.verdict()).isEqualTo(Verdict.REPORT);
        assertThat(reported.forwards()).isTrue();
        assertThat(reported.rule()).isEqualTo("old-wide-rule");
        assertThat(reported.mode()).isEqualTo(Mode.REPORT);
        assertThat(reported.reason()).contains("old-wide-rule").contains("report mode");
        assertThat(policy.decide(GATEWAY, "DELETE", "/anything", null).verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void headersAllowlistIsTheDefaultSetPlusTheRulesOwn() {
        Policy policy = Policy.compile(config("", """
                  - name: tagged
                    methods: [GET]
                    paths: ["/tagged"]
                    headers: [X-Request-Tag]
                  - name: plain
                    methods: [GET]
                    paths: ["/plain"]
                """));
        HeaderAllowlist tagged = policy.decide(GATEWAY, "GET", "/tagged", null).headers();
        HeaderAllowlist plain = policy.decide(GATEWAY, "GET", "/plain", null).headers();
        assertThat(tagged.allows("x-request-tag")).isTrue();
        assertThat(tagged.allows("X-REQUEST-TAG")).isTrue();
        assertThat(plain.allows("X-Request-Tag")).isFalse();
        assertThat(plain.allows("Authorization")).isTrue();
        assertThat(plain.allows("Content-Type")).isTrue();
        assertThat(plain.allows("Cookie")).isFalse();
        assertThat(plain.allows("X-Forwarded-For")).isFalse();
        assertThat(policy.decide(GATEWAY, "GET", "/nothing", null).headers()).isSameAs(HeaderAllowlist.DEFAULT);
    }

    @Test
    void allowNetworkAccessFalseDeniesEveryForwardRequestButNotTheGateway() {
        Policy policy = Policy.compile(config("allowNetworkAccess: false\n", """
                  - name: everything-api
                    methods: [GET]
                    paths: ["/api/**"]
                """));
        assertThat(policy.decide(GATEWAY, "GET", "/api/x", null).verdict()).isEqualTo(Verdict.ALLOW);
        Decision forward = policy.decide(forward("https", "central.example.org", 443), "GET", "/api/x", null);
        assertThat(forward.verdict()).isEqualTo(Verdict.DENY);
        assertThat(forward.reason()).contains("allowNetworkAccess is false");
        Policy open = Policy.compile(config("", """
                  - name: everything-api
                    methods: [GET]
                    paths: ["/api/**"]
                """));
        assertThat(open.decide(forward("https", "x.example.org", 443), "GET", "/api/x", null).verdict())
                .isEqualTo(Verdict.ALLOW);
    }

    @Test
    void misusedCriteriaAreConfigErrorsAtTheirPlace() {
        assertThat(problems("""
                  - name: bad
                    methods: [GET]
                    paths: ["/x"]
                    hosts: ["*", "a.*.org", "exa mple.org", "central.example.org:443", "*.10.0.0.1"]
                    ports: [0, 65536, https]
                    schemes: [ftp]
                    query: ["a=b", ""]
                    headers: [Connection, "bad header"]
                    mode: audit
                """)).containsExactly(
                "p.yaml:8:13: rules[0].hosts: '*': '*' may only stand for the leftmost labels, as in "
                        + "*.example.org; leave hosts out to match any host",
                "p.yaml:8:18: rules[0].hosts: 'a.*.org': '*' may only stand for the leftmost labels, as in "
                        + "*.example.org; leave hosts out to match any host",
                "p.yaml:8:29: rules[0].hosts: 'exa mple.org' is not a valid host name: letters, digits, '-' and '_' in "
                        + "dot-separated labels, no label starting or ending with '-' (international names are "
                        + "converted to punycode)",
                "p.yaml:8:45: rules[0].hosts: 'central.example.org:443': write the port under ports, not in the "
                        + "host name",
                "p.yaml:8:72: rules[0].hosts: '*.10.0.0.1': '*.' applies to host names, not to IP addresses",
                "p.yaml:9:13: rules[0].ports: '0' is not a port; expected a number from 1 to 65535, e.g. [443]",
                "p.yaml:9:16: rules[0].ports: '65536' is not a port; expected a number from 1 to 65535, e.g. [443]",
                "p.yaml:9:23: rules[0].ports: 'https' is not a port; expected a number from 1 to 65535, e.g. [443]",
                "p.yaml:10:15: rules[0].schemes: 'ftp' is not a scheme Sluice proxies; expected http or https",
                "p.yaml:11:13: rules[0].query: 'a=b' is not a query parameter name; expected printable ASCII "
                        + "without spaces or any of & = # ? % +, compared exactly as sent",
                "p.yaml:11:20: rules[0].query: '' is not a query parameter name; expected printable ASCII "
                        + "without spaces or any of & = # ? % +, compared exactly as sent",
                "p.yaml:12:15: rules[0].headers: 'Connection' is managed by Sluice on each hop and is never "
                        + "forwarded as sent; remove it",
                "p.yaml:12:27: rules[0].headers: 'bad header' is not a header name; expected a token such as "
                        + "X-Request-Tag",
                "p.yaml:13:11: rules[0].mode: expected enforce or report, got 'audit'");
    }

    @Test
    void allowNetworkAccessMustBeABoolean() {
        assertThatThrownBy(() -> config("allowNetworkAccess: sometimes\n", "  []\n"))
                .hasMessageContaining("p.yaml:2:21: allowNetworkAccess: expected true or false, got 'sometimes'");
    }
}
