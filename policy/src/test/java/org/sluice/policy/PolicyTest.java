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
                + "gateway: {listen: 127.0.0.1:0, upstream: http://central.test:9}\n"
                + "audit: {path: audit.jsonl}\n"
                + limits
                + "rules:\n" + rules;
        try {
            return ConfigLoader.parse(yaml, Path.of("policy.yaml"));
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    static final Destination GATEWAY = new Destination(Listener.GATEWAY, "http", "central.test", 9);

    static Decision decide(Policy policy, String method, String path) {
        return policy.decide(GATEWAY, method, path, null);
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
        Decision decision = decide(policy, "GET", "/api/tasks");
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
        Decision wrongMethod = decide(policy, "DELETE", "/api/tasks");
        assertThat(wrongMethod.verdict()).isEqualTo(Verdict.DENY);
        assertThat(wrongMethod.rule()).isNull();
        assertThat(wrongMethod.reason()).isEqualTo("no rule for this host and port allows method DELETE");
        assertThat(wrongMethod.forwards()).isFalse();
        assertThat(wrongMethod.auditName()).isEqualTo("deny");
        assertThat(decide(policy, "GET", "/admin").verdict()).isEqualTo(Verdict.DENY);
        assertThat(decide(policy, "GET", "/apix").verdict()).isEqualTo(Verdict.DENY);
        // HTTP methods are case-sensitive; the config upper-cases, the request's token is taken as received
        assertThat(decide(policy, "get", "/api/tasks").verdict()).isEqualTo(Verdict.DENY);
        assertThat(decide(policy, "GET", "/admin").reason()).isEqualTo("no rule allows GET on this path");
        assertThat(decide(policy, "PROPFIND", "/api/tasks").reason()).isEqualTo("no rule allows this method: it is "
                + "not a standard HTTP method, and no rule lists it under extensionMethods");
    }

    @Test
    void emptyRulesDenyEverything() {
        Policy policy = policy("  []\n");
        assertThat(decide(policy, "GET", "/").verdict()).isEqualTo(Verdict.DENY);
        assertThat(decide(policy, "GET", "/api").verdict()).isEqualTo(Verdict.DENY);
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
        assertThat(decide(policy, "GET", "/api/health").rule()).isEqualTo("any-health");
        assertThat(decide(policy, "POST", "/api/health").rule()).isEqualTo("api");
        assertThat(decide(policy, "GET", "/api/tasks").rule()).isEqualTo("api");
        assertThat(decide(policy, "PUT", "/api/tasks").rule()).isEqualTo("everything");
        assertThat(decide(policy, "GET", "/other/health").rule()).isEqualTo("any-health");
        assertThat(decide(policy, "GET", "/").rule()).isEqualTo("everything");
        assertThat(decide(policy, "DELETE", "/").verdict()).isEqualTo(Verdict.DENY);
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
        assertThat(decide(policy, "GET", "/api/tasks").rule()).isEqualTo("wide");
    }

    @Test
    void ruleWithSeveralGlobsUnderTheSameAndDifferentFirstSegments() {
        Policy policy = policy("""
                  - name: multi
                    methods: [GET]
                    paths: ["/api/a", "/api/b/**", "/v*/c"]
                """);
        assertThat(decide(policy, "GET", "/api/a").rule()).isEqualTo("multi");
        assertThat(decide(policy, "GET", "/api/b/x").rule()).isEqualTo("multi");
        assertThat(decide(policy, "GET", "/v2/c").rule()).isEqualTo("multi");
        assertThat(decide(policy, "GET", "/api/c").verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void reportModeLetsWouldDenyThroughWithNoRule() {
        Policy policy = Policy.compile(config("report", "", """
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """));
        assertThat(policy.mode()).isEqualTo(Mode.REPORT);
        Decision report = decide(policy, "POST", "/admin");
        assertThat(report.verdict()).isEqualTo(Verdict.REPORT);
        assertThat(report.rule()).isNull();
        assertThat(report.mode()).isEqualTo(Mode.REPORT);
        assertThat(report.forwards()).isTrue();
        assertThat(report.auditName()).isEqualTo("report");
        assertThat(report.reason()).startsWith("no rule for this host and port allows method POST")
                .contains("report mode");
        Decision allowed = decide(policy, "GET", "/api/x");
        assertThat(allowed.verdict()).isEqualTo(Verdict.ALLOW);
        // The policy's report mode is about requests no rule matches; a matching rule still simply allows.
        assertThat(allowed.mode()).isEqualTo(Mode.ENFORCE);
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
        assertThat(decide(policy, "POST", "/upload").limits()).isEqualTo(new EffectiveLimits(10L << 20, 3072));
        assertThat(decide(policy, "GET", "/download").limits()).isEqualTo(new EffectiveLimits(2048, 0));
        assertThat(decide(policy, "GET", "/plain").limits()).isEqualTo(new EffectiveLimits(2048, 3072));
        assertThat(decide(policy, "GET", "/nothing").limits()).isEqualTo(new EffectiveLimits(2048, 3072));
    }

    @Test
    void defaultLimitsApplyWithoutALimitsSection() {
        Decision decision = decide(policy("  []\n"), "GET", "/");
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
        assertThat(decide(policy, "GET", "").verdict()).isEqualTo(Verdict.DENY);
        assertThat(decide(policy, "GET", "*").verdict()).isEqualTo(Verdict.DENY);
        assertThat(decide(policy, "GET", null).verdict()).isEqualTo(Verdict.DENY);
        assertThat(decide(policy, null, "/x").verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void decisionsArePrebuiltAndShared() {
        Policy policy = policy("""
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """);
        assertThat(decide(policy, "GET", "/api/a")).isSameAs(decide(policy, "GET", "/api/b/c"));
        assertThat(decide(policy, "GET", "/x")).isSameAs(decide(policy, "GET", "/y"));
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
            sink += decide(policy, methods.get(i % 4), paths.get(i % 6)).verdict().ordinal();
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            sink += decide(policy, methods.get(i % 4), paths.get(i % 6)).verdict().ordinal();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(sink).isPositive();
        // 100k decisions; a single allocation per call would be at least 1.6 MB
        assertThat(allocated).isLessThan(16 * 1024);
    }
}
