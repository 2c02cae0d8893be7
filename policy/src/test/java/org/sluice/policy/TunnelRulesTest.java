package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.Problem;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;

/** CONNECT rules: how the loader holds them to host and port, how tunnels are decided, explained and linted. */
class TunnelRulesTest {

    private static final String FORWARD = "forward: {listen: 127.0.0.1:3128}\n";
    private static final String MIRROR = """
              - name: api
                methods: [GET, POST]
                paths: ["/**"]
                mode: report
              - name: mirror
                methods: [connect]
                hosts: [mirror.example.org, "*.mirror.example.org"]
                ports: [443]
              - name: report-anything
                methods: [CONNECT]
                ports: [8443]
                mode: report
            """;

    private static Destination tunnel(String host, int port) {
        return new Destination(Listener.FORWARD, "https", host, port);
    }

    private static List<String> warnings(String top, String rules) {
        return PolicyLint.warnings(RuleLanguageTest.config(top, rules)).stream().map(Problem::toString).toList();
    }

    @Test
    void aConnectRuleNeedsNoPathsAndIsMarkedATunnel() {
        SluiceConfig config = RuleLanguageTest.config(FORWARD, MIRROR);

        RuleConfig mirror = config.rules().get(1);
        assertThat(mirror.methods()).containsExactly("CONNECT");
        assertThat(mirror.paths()).isEmpty();
        assertThat(mirror.tunnel()).isTrue();
        assertThat(config.rules().get(0).tunnel()).isFalse();
    }

    @Test
    void connectWithOtherMethodsIsRefused() {
        assertThat(RuleLanguageTest.problems("""
                  - name: mixed
                    methods: [GET, CONNECT]
                    paths: ["/**"]
                """)).containsExactly("p.yaml:6:14: rules[0].methods: a tunnel has no method or path of its own; "
                + "put CONNECT in a rule of its own (methods: [CONNECT], with hosts and ports)");
    }

    @Test
    void whatATunnelHidesCannotBeCheckedAndIsRefused() {
        assertThat(RuleLanguageTest.problems("""
                  - name: tunnel
                    methods: [CONNECT]
                    paths: ["/simple/**"]
                    query: [a]
                    headers: [X-Tag]
                    limits: {maxRequestBodyBytes: 0}
                    hosts: [mirror.example.org]
                """)).containsExactly(
                "p.yaml:7:12: rules[0].paths: a CONNECT rule matches a tunnel, whose requests are encrypted inside "
                        + "TLS, so their paths cannot be checked; remove paths (a CONNECT rule checks hosts and "
                        + "ports), or allow plain-HTTP requests with a rule of their own",
                "p.yaml:8:12: rules[0].query: a CONNECT rule matches a tunnel, whose requests are encrypted inside "
                        + "TLS, so their queries cannot be checked; remove query",
                "p.yaml:9:14: rules[0].headers: a CONNECT rule matches a tunnel, whose requests are encrypted "
                        + "inside TLS, so their headers are neither seen nor stripped; remove headers",
                "p.yaml:10:13: rules[0].limits: a CONNECT rule matches a tunnel, whose requests are encrypted "
                        + "inside TLS, so body limits cannot be checked inside it; remove limits, and use a "
                        + "plain-HTTP rule or the gateway where body size matters");
    }

    @Test
    void aConnectRulesSchemesMustAllowHttps() {
        assertThat(RuleLanguageTest.problems("""
                  - name: tunnel
                    methods: [CONNECT]
                    schemes: [http]
                """)).containsExactly("p.yaml:7:14: rules[0].schemes: a CONNECT tunnel carries https; include "
                + "https in schemes or leave schemes out");
        assertThat(RuleLanguageTest.config(FORWARD, """
                  - name: tunnel
                    methods: [CONNECT]
                    hosts: [a.example]
                    schemes: [http, https]
                """).rules().get(0).schemes()).containsExactly("http", "https");
    }

    @Test
    void otherRulesStillNeedPaths() {
        assertThat(RuleLanguageTest.problems("""
                  - name: get
                    methods: [GET]
                """)).containsExactly("p.yaml:5:5: missing key 'paths' under rules[0]; expected a list of path "
                + "globs, e.g. [\"/api/**\"]");
    }

    @Test
    void aTunnelIsDecidedByConnectRulesOnHostAndPort() {
        Policy policy = Policy.compile(RuleLanguageTest.config(FORWARD, MIRROR));

        Decision allowed = policy.decideTunnel(tunnel("mirror.example.org", 443));
        assertThat(allowed.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(allowed.rule()).isEqualTo("mirror");
        assertThat(policy.decideTunnel(tunnel("eu.mirror.example.org", 443)).rule()).isEqualTo("mirror");
        Decision otherPort = policy.decideTunnel(tunnel("mirror.example.org", 22));
        assertThat(otherPort.verdict()).isEqualTo(Verdict.DENY);
        assertThat(otherPort.reason()).isEqualTo("no CONNECT rule for this host allows this port");
        assertThat(policy.decideTunnel(tunnel("mirror.example.org.evil.net", 443)).verdict())
                .isEqualTo(Verdict.DENY);
        assertThat(policy.decideTunnel(tunnel("example.net", 8443)).verdict()).isEqualTo(Verdict.REPORT);
    }

    @Test
    void rulesNeverCrossBetweenTunnelsAndRequests() {
        Policy policy = Policy.compile(RuleLanguageTest.config(FORWARD, MIRROR));
        Destination https = tunnel("mirror.example.org", 443);

        // The report-mode GET/POST rule on /** matches no tunnel; the CONNECT rules match no request.
        assertThat(policy.decideTunnel(tunnel("central.example.org", 443)).rule()).isNull();
        assertThat(policy.decide(https, "CONNECT", "/", null).rule()).isNull();
        assertThat(policy.decide(https, "CONNECT", "/", null).verdict()).isEqualTo(Verdict.DENY);
        assertThat(policy.decide(new Destination(Listener.FORWARD, "https", "x.example", 8443), "CONNECT", "/",
                null).rule()).isNull();
        assertThat(policy.decide(https, "GET", "/simple/", null).rule()).isEqualTo("api");
    }

    @Test
    void allowNetworkAccessFalseDeniesEveryTunnel() {
        Policy policy = Policy.compile(RuleLanguageTest.config("allowNetworkAccess: false\n" + FORWARD, MIRROR));

        Decision decision = policy.decideTunnel(tunnel("mirror.example.org", 443));
        assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
        assertThat(decision.rule()).isNull();
        assertThat(decision.reason()).isEqualTo("allowNetworkAccess is false: only the gateway's upstream is "
                + "reachable");
    }

    @Test
    void aPolicyInReportModeReportsATunnelNoRuleAllows() {
        Policy policy = Policy.compile(RuleLanguageTest.config("mode: report\n" + FORWARD, MIRROR));

        Decision decision = policy.decideTunnel(tunnel("pastebin.example.net", 443));
        assertThat(decision.verdict()).isEqualTo(Verdict.REPORT);
        assertThat(decision.reason()).isEqualTo("no CONNECT rule for this host allows this port; let "
                + "through because the policy is in report mode");
    }

    @Test
    void decidingATunnelAllocatesNothing() {
        Policy policy = Policy.compile(RuleLanguageTest.config(FORWARD, MIRROR));
        Destination allowed = tunnel("eu.mirror.example.org", 443);
        Destination denied = tunnel("pastebin.example.net", 443);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++) {
            policy.decideTunnel(allowed);
            policy.decideTunnel(denied);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        int allowedCount = 0;
        for (int i = 0; i < 50_000; i++) {
            allowedCount += policy.decideTunnel(allowed).forwards() ? 1 : 0;
            allowedCount += policy.decideTunnel(denied).forwards() ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertThat(allowedCount).isEqualTo(50_000);
        // 100k decisions; a single allocation per call would be at least 1.6 MB
        assertThat(allocated).isLessThan(16 * 1024);
    }

    @Test
    void theExplainerShowsTheConnectRuleOrTheNearestConnectRules() {
        SluiceConfig config = RuleLanguageTest.config(FORWARD, MIRROR);
        PolicyExplainer explainer = new PolicyExplainer(config, Policy.compile(config));

        Explanation allowed = explainer.explainTunnel(tunnel("mirror.example.org", 443));
        assertThat(allowed.rule().name()).isEqualTo("mirror");
        assertThat(allowed.nearest()).isEmpty();

        Explanation denied = explainer.explainTunnel(tunnel("mirror.example.org", 22));
        assertThat(denied.rule()).isNull();
        assertThat(denied.nearest()).extracting(miss -> miss.rule().name(), Explanation.Miss::reasons)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("mirror", List.of("port 22 is not in ports [443]")),
                        org.assertj.core.groups.Tuple.tuple("report-anything",
                                List.of("port 22 is not in ports [8443]")));

        Explanation request = explainer.explain(tunnel("mirror.example.org", 443), "GET", "/x", null);
        assertThat(request.rule().name()).isEqualTo("api");
        Explanation deniedRequest = explainer.explain(tunnel("mirror.example.org", 443), "PUT", "/x", null);
        assertThat(deniedRequest.nearest()).extracting(miss -> miss.rule().name()).containsExactly("api");
        assertThat(RuleCheck.misses(config.rules().get(1), tunnel("mirror.example.org", 443), "CONNECT", "/", null))
                .containsExactly("it is a CONNECT rule, which matches tunnels only, never a request with a path");
        assertThat(RuleCheck.tunnelMisses(config.rules().get(0), tunnel("mirror.example.org", 443)))
                .containsExactly("it is not a CONNECT rule (methods: [CONNECT]); only those match tunnels");
    }

    @Test
    void withAForwardListenerForwardRulesAreReachable() {
        assertThat(warnings(FORWARD, """
                  - name: pypi
                    methods: [GET]
                    paths: ["/simple/**"]
                    hosts: [pypi.org]
                    ports: [80]
                  - name: mirror
                    methods: [CONNECT]
                    hosts: [mirror.example.org]
                    ports: [443]
                """)).isEmpty();
    }

    @Test
    void withoutAForwardListenerConnectRulesNeverMatch() {
        assertThat(warnings("", """
                  - name: mirror
                    methods: [CONNECT]
                    hosts: [mirror.example.org]
                """)).containsExactly("p.yaml:5:5: rule 'mirror' can never match: it is a CONNECT rule and this "
                + "config has no forward listener, the only one that takes tunnels; add a forward section or "
                + "remove the rule");
        assertThat(warnings("allowNetworkAccess: false\n", """
                  - name: mirror
                    methods: [CONNECT]
                    hosts: [mirror.example.org]
                """)).containsExactly("p.yaml:6:5: rule 'mirror' can never match: it is a CONNECT rule and "
                + "allowNetworkAccess is false, so every tunnel is denied");
    }

    @Test
    void aConnectRuleWithoutHostsIsAWarning() {
        assertThat(warnings(FORWARD, """
                  - name: anywhere
                    methods: [CONNECT]
                  - name: anywhere-tls
                    methods: [CONNECT]
                    ports: [443]
                  - name: watching
                    methods: [CONNECT]
                    mode: report
                """)).containsExactly(
                "p.yaml:6:5: rule 'anywhere' has no hosts, so it lets a tunnel to any host that passes the "
                        + "address checks on any port; list the hosts it may reach under hosts",
                "p.yaml:8:5: rule 'anywhere-tls' has no hosts, so it lets a tunnel to any host that passes the "
                        + "address checks; list the hosts it may reach under hosts",
                "p.yaml:8:5: rule 'anywhere-tls' can never match: rule 'anywhere' at line 6 comes first and "
                        + "matches every request it would; move it above that rule, narrow that rule, or remove it",
                "p.yaml:11:5: rule 'watching' can never match: rule 'anywhere' at line 6 comes first and matches "
                        + "every request it would; move it above that rule, narrow that rule, or remove it");
    }

    @Test
    void aForwardListenerThatAllowNetworkAccessShutsIsAWarning() {
        assertThat(warnings("allowNetworkAccess: false\n" + FORWARD, """
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """)).containsExactly("p.yaml:1:1: forward is configured but allowNetworkAccess is false, so "
                + "every forward request is denied; remove forward, or set allowNetworkAccess: true");
    }

    @Test
    void aPlainHttpsRuleForAnotherHostCannotMatchThroughTheForwardListener() {
        assertThat(warnings(FORWARD, """
                  - name: pypi
                    methods: [GET]
                    paths: ["/simple/**"]
                    hosts: [pypi.org]
                    schemes: [https]
                """)).containsExactly("p.yaml:6:5: rule 'pypi' can never match: the forward listener takes "
                + "https only as CONNECT tunnels, which only a CONNECT rule (methods: [CONNECT]) matches, and the "
                + "gateway's upstream https://central.example.org:443 is not covered (its hosts [pypi.org] do not "
                + "include central.example.org); allow https destinations with a CONNECT rule");
    }
}
