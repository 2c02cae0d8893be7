package org.sluice.policy.image;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

class AlgorithmAllowlistProperties {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static AlgorithmAllowlist dockerHubOnly;

    @BeforeContainer
    static void compile() {
        dockerHubOnly = AlgorithmAllowlistTest.allowlist("""
                algorithms:
                  requireDigest: false
                  allow:
                    - image: ubuntu
                    - image: docker.io/library/debian@%s
                    - pattern: 'docker\\.io/library/[a-z0-9-]+'
                    - pattern: 'docker\\.io/[a-z0-9-]+/.+'
                """.formatted(DIGEST));
    }

    /** Hosts built around "docker.io" from random labels; none is docker.io or its alias index.docker.io. */
    @Provide
    Arbitrary<String> lookAlikeHosts() {
        Arbitrary<String> label = Arbitraries.strings().withChars("abdiknoxyz019-.").ofMinLength(1).ofMaxLength(8)
                .filter(l -> !l.equals("index") && !l.equals("index."));
        Arbitrary<String> host = Combinators.combine(label, Arbitraries.of(
                "docker.io.%s", "%s.docker.io", "docker.io%s", "%sdocker.io", "docker-io.%s", "%s.docker.io.%1$s",
                "index.docker.io.%s", "%s-index.docker.io", "docker.%s.io", "registry-1.docker.io%s"))
                .as((l, template) -> template.formatted(l));
        Arbitrary<String> port = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.integers().between(1, 65535).map(p -> ":" + p));
        return Combinators.combine(host, port).as(String::concat);
    }

    @Provide
    Arbitrary<String> repositories() {
        return Arbitraries.of("library/ubuntu", "library/debian", "ubuntu", "user/app", "docker.io/library/ubuntu",
                "library/ubuntu/x");
    }

    @Property(tries = 5000)
    void aLookAlikeHostNeverMatchesADockerHubEntry(@ForAll("lookAlikeHosts") String host,
                                                   @ForAll("repositories") String repository) {
        for (String reference : new String[] {host + "/" + repository, host + "/" + repository + "@" + DIGEST}) {
            ImageCheck check = dockerHubOnly.check(reference);
            assertThat(check.allowed()).as("%s allowed by %s", reference, check.entry()).isFalse();
        }
    }

    /** The same allowlist does allow Docker Hub itself, so the property above can fail. */
    @Property(tries = 200)
    void theRealDockerHubNamesAreAllowed(@ForAll("dockerHubRepositories") String repository,
                                         @ForAll boolean legacyHost) {
        String host = legacyHost ? "index.docker.io" : "docker.io";
        assertThat(dockerHubOnly.check(host + "/" + repository + "@" + DIGEST).allowed()).isTrue();
    }

    @Provide
    Arbitrary<String> dockerHubRepositories() {
        return Arbitraries.of("library/ubuntu", "library/debian", "ubuntu", "user/app", "library/ubuntu/x");
    }
}
