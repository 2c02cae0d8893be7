package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.Limits;
import org.sluice.policy.config.SluiceConfig;

class PolicyTest {

    static SluiceConfig config(String mode, String limits, String rules) {
        String yaml = "version: 1\n"
                + "mode: " + mode + "\n"
                + "gateway: {listen: 127.0.0.1:0, upstream: http://127.0.0.1:9}\n"
                + "audit: {path: audit.jsonl}\n"
                + limits
                + "rules:\n" + rules;
        try {
            return ConfigLoader.parse(yaml, Path.of("policy.yaml"));
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    static Policy policy(String rules) {
        return Policy.compile(config("enforce", "", rules));
    }

    @Test
    void allowsWhenMethodAndPathMatch() {
        Policy policy = policy("""
                  - name: api
                    methods: [GET, POST]
                    paths: ["/api/**"]
                """);
        Decision decision = policy.decide("GET", "/api/tasks");
        assertThat(decision.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(decision.rule()).isEqualTo("api");
        assertThat(decision.reason()).isEqualTo("allowed by rule 'api'");
        assertThat(decision.mode()).isEqualTo(Mode.ENFORCE);
        assertThat(decision.forwards()).isTrue();
        assertThat(decision.auditName()).isEqualTo("allow");
    }

    @Test
    void deniesWrongMethodWrongPathAndLowerCaseMethod() {
        Policy policy = policy("""
                  - name: api
                    methods: [get]
                    paths: ["/api/**"]
                """);
        Decision wrongMethod = policy.decide("DELETE", "/api/tasks");
        assertThat(wrongMethod.verdict()).isEqualTo(Verdict.DENY);
        assertThat(wrongMethod.rule()).isNull();
        assertThat(wrongMethod.reason()).isEqualTo("no rule allows DELETE on this path");
        assertThat(wrongMethod.forwards()).isFalse();
        assertThat(wrongMethod.auditName()).isEqualTo("deny");
        assertThat(policy.decide("GET", "/admin").verdict()).isEqualTo(Verdict.DENY);
        assertThat(policy.decide("GET", "/apix").verdict()).isEqualTo(Verdict.DENY);
        // HTTP methods are case-sensitive; the config upper-cases, the request's token is taken as received
        assertThat(policy.decide("get", "/api/tasks").verdict()).isEqualTo(Verdict.DENY);
        assertThat(policy.decide("PROPFIND", "/api/tasks").reason()).isEqualTo("no rule allows this method on this path");
    }

    @Test
    void emptyRulesDenyEverything() {
        Policy policy = policy("  []\n");
        assertThat(policy.decide("GET", "/").verdict()).isEqualTo(Verdict.DENY);
        assertThat(policy.decide("GET", "/api").verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void firstMatchWinsInFileOrderAcrossLiteralAndWildcardFirstSegments() {
        Policy policy = policy("""
                  - name: any-health
                    methods: [GET]
                    paths: ["/*/health"]
                  - name: api
                    methods: [GET, POST]
                    paths: ["/api/**"]
                  - name: everything
                    methods: [GET, POST, PUT]
                    paths: ["/**"]
                """);
        assertThat(policy.decide("GET", "/api/health").rule()).isEqualTo("any-health");
        assertThat(policy.decide("POST", "/api/health").rule()).isEqualTo("api");
        assertThat(policy.decide("GET", "/api/tasks").rule()).isEqualTo("api");
        assertThat(policy.decide("PUT", "/api/tasks").rule()).isEqualTo("everything");
        assertThat(policy.decide("GET", "/other/health").rule()).isEqualTo("any-health");
        assertThat(policy.decide("GET", "/").rule()).isEqualTo("everything");
        assertThat(policy.decide("DELETE", "/").verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void laterLiteralRuleDoesNotOvertakeEarlierWildcardRule() {
        Policy policy = policy("""
                  - name: wide
                    methods: [GET]
                    paths: ["/**"]
                  - name: narrow
                    methods: [GET]
                    paths: ["/api/tasks"]
                """);
        assertThat(policy.decide("GET", "/api/tasks").rule()).isEqualTo("wide");
    }

    @Test
    void ruleWithSeveralGlobsUnderTheSameAndDifferentFirstSegments() {
        Policy policy = policy("""
                  - name: multi
                    methods: [GET]
                    paths: ["/api/a", "/api/b/**", "/v*/c"]
                """);
        assertThat(policy.decide("GET", "/api/a").rule()).isEqualTo("multi");
        assertThat(policy.decide("GET", "/api/b/x").rule()).isEqualTo("multi");
        assertThat(policy.decide("GET", "/v2/c").rule()).isEqualTo("multi");
        assertThat(policy.decide("GET", "/api/c").verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void reportModeLetsWouldDenyThroughWithNoRule() {
        Policy policy = Policy.compile(config("report", "", """
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """));
        assertThat(policy.mode()).isEqualTo(Mode.REPORT);
        Decision report = policy.decide("POST", "/admin");
        assertThat(report.verdict()).isEqualTo(Verdict.REPORT);
        assertThat(report.rule()).isNull();
        assertThat(report.mode()).isEqualTo(Mode.REPORT);
        assertThat(report.forwards()).isTrue();
        assertThat(report.auditName()).isEqualTo("report");
        assertThat(report.reason()).startsWith("no rule allows POST on this path").contains("report mode");
        Decision allowed = policy.decide("GET", "/api/x");
        assertThat(allowed.verdict()).isEqualTo(Verdict.ALLOW);
        assertThat(allowed.mode()).isEqualTo(Mode.REPORT);
    }

    @Test
    void perRuleLimitsOverrideTopLevelAndOthersInherit() {
        Policy policy = Policy.compile(config("enforce", """
                limits:
                  maxRequestBodyBytes: 2KiB
                  maxResponseBodyBytes: 3KiB
                """, """
                  - name: upload
                    methods: [POST]
                    paths: ["/upload"]
                    limits: {maxRequestBodyBytes: 10MiB}
                  - name: download
                    methods: [GET]
                    paths: ["/download"]
                    limits: {maxResponseBodyBytes: 0}
                  - name: plain
                    methods: [GET]
                    paths: ["/plain"]
                """));
        assertThat(policy.decide("POST", "/upload").limits()).isEqualTo(new EffectiveLimits(10L << 20, 3072));
        assertThat(policy.decide("GET", "/download").limits()).isEqualTo(new EffectiveLimits(2048, 0));
        assertThat(policy.decide("GET", "/plain").limits()).isEqualTo(new EffectiveLimits(2048, 3072));
        assertThat(policy.decide("GET", "/nothing").limits()).isEqualTo(new EffectiveLimits(2048, 3072));
    }

    @Test
    void defaultLimitsApplyWithoutALimitsSection() {
        Decision decision = policy("  []\n").decide("GET", "/");
        assertThat(decision.limits()).isEqualTo(new EffectiveLimits(Limits.DEFAULTS.maxRequestBodyBytes(),
                Limits.DEFAULTS.maxResponseBodyBytes()));
    }

    @Test
    void hashIsTheConfigsSha256() {
        SluiceConfig config = config("enforce", "", "  []\n");
        assertThat(Policy.compile(config).hash()).isEqualTo(config.sha256()).hasSize(64);
    }

    @Test
    void ruleCountIsTheNumberOfRulesInTheFile() {
        assertThat(policy("  []\n").ruleCount()).isZero();
        assertThat(policy("""
                  - {name: a, methods: [GET], paths: ["/a", "/b"]}
                  - {name: b, methods: [PUT], paths: ["/a"]}
                """).ruleCount()).isEqualTo(2);
    }

    @Test
    void pathThatIsNotNormalisedFormNeverMatches() {
        Policy policy = policy("""
                  - name: all
                    methods: [GET]
                    paths: ["/**"]
                """);
        assertThat(policy.decide("GET", "").verdict()).isEqualTo(Verdict.DENY);
        assertThat(policy.decide("GET", "*").verdict()).isEqualTo(Verdict.DENY);
        assertThat(policy.decide("GET", null).verdict()).isEqualTo(Verdict.DENY);
        assertThat(policy.decide(null, "/x").verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void decisionsArePrebuiltAndShared() {
        Policy policy = policy("""
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """);
        assertThat(policy.decide("GET", "/api/a")).isSameAs(policy.decide("GET", "/api/b/c"));
        assertThat(policy.decide("GET", "/x")).isSameAs(policy.decide("GET", "/y"));
    }

    @Test
    void decideAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Policy policy = policy("""
                  - name: health
                    methods: [GET]
                    paths: ["/*/health"]
                  - name: api
                    methods: [GET, POST]
                    paths: ["/api/**", "/files/*.json"]
                """);
        List<String> paths = List.of("/api/tasks/17", "/files/a.json", "/v1/health", "/admin", "/files/a.txt", "/");
        List<String> methods = List.of("GET", "POST", "DELETE", "BREW");
        int sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += policy.decide(methods.get(i % 4), paths.get(i % 6)).verdict().ordinal();
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            sink += policy.decide(methods.get(i % 4), paths.get(i % 6)).verdict().ordinal();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(sink).isPositive();
        // 100k decisions; a single allocation per call would be at least 1.6 MB
        assertThat(allocated).isLessThan(16 * 1024);
    }
}
