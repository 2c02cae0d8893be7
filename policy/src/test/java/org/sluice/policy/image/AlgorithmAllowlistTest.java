package org.sluice.policy.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.Position;

class AlgorithmAllowlistTest {

    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);
    static final String D3 = "sha256:" + "3".repeat(64);
    static final Path FILE = Path.of("p.yaml");
    /** Three lines, so that the algorithms section starts on line 4. */
    static final String BASE = """
            version: 1
            gateway: {listen: 127.0.0.1:0, upstream: http://central.test:9}
            audit: {path: audit.jsonl}
            """;

    static AlgorithmAllowlist allowlist(String algorithms) {
        try {
            return AlgorithmAllowlist.compile(ConfigLoader.parse(BASE + algorithms, FILE).algorithms());
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static ImageCheck allowed(AlgorithmAllowlist allowlist, String reference) {
        ImageCheck check = allowlist.check(reference);
        assertThat(check.allowed()).as("%s: %s", reference, check.reason()).isTrue();
        assertThat(check.reason()).isNull();
        assertThat(check.entry()).isNotNull();
        return check;
    }

    private static ImageCheck denied(AlgorithmAllowlist allowlist, String reference) {
        ImageCheck check = allowlist.check(reference);
        assertThat(check.allowed()).as("%s was allowed by %s", reference, check.entry()).isFalse();
        assertThat(check.entry()).isNull();
        assertThat(check.reason()).isNotBlank();
        return check;
    }

    @Test
    void aBareImageEntryAllowsEveryTagAndDigestOfThatRepositoryOnly() {
        AlgorithmAllowlist allowlist = allowlist("""
                algorithms:
                  requireDigest: false
                  allow:
                    - image: ubuntu
                """);

        ImageCheck check = allowed(allowlist, "ubuntu");
        assertThat(check.image()).isEqualTo("docker.io/library/ubuntu:latest");
        assertThat(check.entry().position()).isEqualTo(new Position(FILE, 7, 7));
        assertThat(check.line()).isEqualTo(
                "allowed: docker.io/library/ubuntu:latest (entry at p.yaml:7:7: image: docker.io/library/ubuntu)");
        allowed(allowlist, "ubuntu:22.04");
        allowed(allowlist, "library/ubuntu@" + D1);
        allowed(allowlist, "index.docker.io/library/ubuntu:x@" + D2);
        for (String other : new String[] {"ubuntu2", "debian", "user/ubuntu", "library/ubuntu/x",
                "harbor.example.org/library/ubuntu", "localhost/ubuntu"}) {
            denied(allowlist, other);
        }
        assertThat(denied(allowlist, "debian").line())
                .isEqualTo("denied: docker.io/library/debian:latest: no entry in the algorithms list allows "
                        + "docker.io/library/debian");
    }

    @Test
    void aTaggedEntryAllowsOnlyThatTag() {
        AlgorithmAllowlist allowlist = allowlist("""
                algorithms: {requireDigest: false, allow: [{image: "ubuntu:22.04"}]}
                """);

        allowed(allowlist, "ubuntu:22.04");
        allowed(allowlist, "docker.io/library/ubuntu:22.04@" + D1);
        assertThat(denied(allowlist, "ubuntu").reason()).isEqualTo("entry at p.yaml:4:44 "
                + "(image: docker.io/library/ubuntu:22.04) allows docker.io/library/ubuntu only with tag 22.04, and "
                + "the reference has tag latest");
        assertThat(denied(allowlist, "ubuntu@" + D1).reason())
                .endsWith("only with tag 22.04, and the reference has no tag");
        denied(allowlist, "ubuntu:22.04.1");
        denied(allowlist, "ubuntu:22");
    }

    @Test
    void aDigestPinnedEntryAllowsExactlyThatDigest() {
        AlgorithmAllowlist allowlist = allowlist("""
                algorithms:
                  - image: harbor.example.org/algorithms/average@%s
                """.formatted(D1));

        ImageCheck check = allowed(allowlist, "harbor.example.org/algorithms/average@" + D1);
        assertThat(check.entry().text()).isEqualTo("image: harbor.example.org/algorithms/average@" + D1);
        allowed(allowlist, "harbor.example.org/algorithms/average:v1@" + D1);
        assertThat(denied(allowlist, "harbor.example.org/algorithms/average@" + D2).reason())
                .isEqualTo("entry at p.yaml:5:5 (image: harbor.example.org/algorithms/average@" + D1 + ") allows "
                        + "harbor.example.org/algorithms/average only with digest " + D1
                        + ", and the reference has digest " + D2);
        denied(allowlist, "harbor.example.org/algorithms/other@" + D1);
    }

    @Test
    void aTagWithPinnedDigestsNeedsBoth() {
        AlgorithmAllowlist allowlist = allowlist("""
                algorithms:
                  - image: harbor.example.org/algorithms/average:1.0
                    digests: [%s, %s]
                """.formatted(D1, D2));

        allowed(allowlist, "harbor.example.org/algorithms/average:1.0@" + D1);
        allowed(allowlist, "harbor.example.org/algorithms/average:1.0@" + D2);
        assertThat(denied(allowlist, "harbor.example.org/algorithms/average:1.0@" + D3).reason())
                .endsWith("only with one of its 2 pinned digests, and the reference has digest " + D3);
        assertThat(denied(allowlist, "harbor.example.org/algorithms/average@" + D1).reason())
                .endsWith("only with tag 1.0, and the reference has no tag");
        assertThat(denied(allowlist, "harbor.example.org/algorithms/average:2.0@" + D1).reason())
                .endsWith("only with tag 1.0, and the reference has tag 2.0");
    }

    @Test
    void aPatternIsAnchoredAtBothEndsAndSeesRegistryAndRepositoryOnly() {
        AlgorithmAllowlist allowlist = allowlist("""
                algorithms:
                  requireDigest: false
                  allow:
                    - pattern: 'harbor\\.example\\.org/algorithms/[a-z-]+'
                """);

        allowed(allowlist, "harbor.example.org/algorithms/average");
        allowed(allowlist, "harbor.example.org/algorithms/kaplan-meier:1.0");
        allowed(allowlist, "harbor.example.org/algorithms/avg:1.0@" + D1);
        assertThat(allowed(allowlist, "harbor.example.org/algorithms/avg").entry().text())
                .isEqualTo("pattern: harbor\\.example\\.org/algorithms/[a-z-]+");
        for (String outside : new String[] {
            "xharbor.example.org/algorithms/avg",
            "harbor.example.org/algorithms/avg/extra",
            "harbor.example.org/algorithms/avg2",
            "harbor.example.org/algorithms/avg_x",
            "harbor.example.org/algorithms",
            "harbor.example.org/xalgorithms/avg",
            "harbor.example.org.evil.net/algorithms/avg",
            "evil.net/harbor.example.org/algorithms/avg",
            "harbor.example.org:443/algorithms/avg",
            "harbor-example.org/algorithms/avg",
            "harbor.example.org/algorithms/a.b",
        }) {
            denied(allowlist, outside);
        }
        assertThat(denied(allowlist, "harbor.example.org/algorithms/avg/../x").reason())
                .startsWith("not a valid image reference: repository path component '..' is not valid");
        assertThat(denied(allowlist, "harbor.example.org/algorithms/avg/../x").image())
                .isEqualTo("harbor.example.org/algorithms/avg/../x");
    }

    @Test
    void aPatternSeesTheCanonicalNameNotTheFamiliarOne() {
        AlgorithmAllowlist canonical = allowlist("""
                algorithms: {requireDigest: false, allow: [{pattern: 'docker\\.io/library/ubuntu'}]}
                """);
        AlgorithmAllowlist familiar = allowlist("""
                algorithms: {requireDigest: false, allow: [{pattern: ubuntu}, {pattern: library/ubuntu}]}
                """);

        allowed(canonical, "ubuntu");
        allowed(canonical, "ubuntu:22.04");
        denied(familiar, "ubuntu");
        denied(familiar, "ubuntu:22.04");
    }

    @Test
    void aPatternWithDigestsAllowsOnlyThoseDigests() {
        AlgorithmAllowlist allowlist = allowlist("""
                algorithms:
                  - pattern: 'harbor\\.example\\.org/algorithms/[a-z-]+'
                    digests:
                      - %s
                """.formatted(D1));

        assertThat(allowed(allowlist, "harbor.example.org/algorithms/avg@" + D1).line()).isEqualTo(
                "allowed: harbor.example.org/algorithms/avg@" + D1 + " (entry at p.yaml:5:5: pattern: "
                        + "harbor\\.example\\.org/algorithms/[a-z-]+ with 1 pinned digest)");
        assertThat(denied(allowlist, "harbor.example.org/algorithms/avg@" + D2).reason())
                .endsWith("only with digest " + D1 + ", and the reference has digest " + D2);
    }

    @Test
    void requireDigestIsOnByDefaultInBothForms() {
        for (String section : new String[] {
            "algorithms: [{image: ubuntu}]\n",
            "algorithms: {allow: [{image: ubuntu}]}\n",
            "algorithms: {requireDigest: true, allow: [{image: ubuntu}]}\n"}) {
            AlgorithmAllowlist allowlist = allowlist(section);

            ImageCheck check = denied(allowlist, "ubuntu:22.04");
            assertThat(check.line()).isEqualTo("denied: docker.io/library/ubuntu:22.04: the reference has no "
                    + "digest and the policy requires one (requireDigest: true), because a tag can be re-pointed to "
                    + "other content; give the image as NAME@sha256:<64 hex digits>");
            allowed(allowlist, "ubuntu:22.04@" + D1);
            allowed(allowlist, "ubuntu@" + D1);
        }
        AlgorithmAllowlist off = allowlist("algorithms: {requireDigest: false, allow: [{image: ubuntu}]}\n");
        allowed(off, "ubuntu:22.04");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "docker.io.evil.net/library/ubuntu",
        "evil.net/docker.io/library/ubuntu",
        "docker.iox/library/ubuntu",
        "xdocker.io/library/ubuntu",
        "docker.io:443/library/ubuntu",
        "docker.io:5000/library/ubuntu",
        "registry-1.docker.io/library/ubuntu",
        "docker-io.net/library/ubuntu",
        "localhost/library/ubuntu",
        "ubuntu.evil.net/ubuntu",
        "docker.io/library/ubuntu-evil",
        "docker.io/evil/ubuntu"})
    void lookAlikeHostsNeverMatchDockerHubEntries(String lookAlike) {
        AlgorithmAllowlist allowlist = allowlist("""
                algorithms:
                  requireDigest: false
                  allow:
                    - image: ubuntu
                    - pattern: 'docker\\.io/library/[a-z]+'
                """);

        allowed(allowlist, "docker.io/library/ubuntu");
        allowed(allowlist, "index.docker.io/library/debian");
        denied(allowlist, lookAlike);
        denied(allowlist, lookAlike + "@" + D1);
    }

    @Test
    void aLookAlikeDenialNamesTheEntryItResembles() {
        AlgorithmAllowlist allowlist = allowlist("""
                algorithms: {requireDigest: false, allow: [{image: ubuntu}]}
                """);

        assertThat(denied(allowlist, "docker.io.evil.net/library/ubuntu").reason()).isEqualTo("no entry in the "
                + "algorithms list allows docker.io.evil.net/library/ubuntu; entry at p.yaml:4:44 allows "
                + "docker.io/library/ubuntu, on registry docker.io, not docker.io.evil.net");
        assertThat(denied(allowlist, "evil.net/docker.io/library/ubuntu").reason())
                .endsWith("allows docker.io/library/ubuntu, on registry docker.io, not evil.net");
        assertThat(denied(allowlist, "docker.io/library/ubuntu2").reason())
                .isEqualTo("no entry in the algorithms list allows docker.io/library/ubuntu2");
    }

    @Test
    void withoutASectionOrWithAnEmptyListNothingIsAllowed() {
        assertThat(denied(allowlist(""), "ubuntu@" + D1).line()).isEqualTo("denied: docker.io/library/ubuntu@" + D1
                + ": the policy has no algorithms section; no image is allowed");
        for (String empty : new String[] {"algorithms: []\n", "algorithms: {requireDigest: false, allow: []}\n"}) {
            assertThat(denied(allowlist(empty), "ubuntu@" + D1).reason())
                    .isEqualTo("the policy's algorithms list is empty; no image is allowed");
        }
    }

    @Test
    void theFirstAllowingEntryInFileOrderIsReported() {
        AlgorithmAllowlist allowlist = allowlist("""
                algorithms:
                  - image: harbor.example.org/algorithms/avg:2.0
                  - pattern: 'harbor\\.example\\.org/algorithms/.+'
                  - image: harbor.example.org/algorithms/avg
                """);

        assertThat(allowed(allowlist, "harbor.example.org/algorithms/avg:1.0@" + D1).entry().position())
                .isEqualTo(new Position(FILE, 6, 5));
        assertThat(allowed(allowlist, "harbor.example.org/algorithms/avg:2.0@" + D1).entry().position())
                .isEqualTo(new Position(FILE, 5, 5));
    }

    @Test
    void anUnparseableCandidateIsDeniedWithWhy() {
        AlgorithmAllowlist allowlist =
                allowlist("algorithms: {requireDigest: false, allow: [{pattern: '[^/]+/.*'}]}\n");

        ImageCheck check = denied(allowlist, "Ubuntu");
        assertThat(check.image()).isEqualTo("Ubuntu");
        assertThat(check.reason()).startsWith("not a valid image reference: repository 'Ubuntu' has upper-case");
        assertThat(denied(allowlist, "").line()).startsWith("denied: : not a valid image reference: the reference "
                + "is empty");
        assertThat(denied(allowlist, "a\nb").image()).isEqualTo("a?b");
        allowed(allowlist, "ubuntu");
    }
}
