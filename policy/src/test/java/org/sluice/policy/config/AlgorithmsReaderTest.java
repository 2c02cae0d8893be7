package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sluice.policy.image.ImageReference;

class AlgorithmsReaderTest {

    private static final Path FILE = Path.of("gw.yaml");
    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);
    /** Three lines, so that the algorithms section starts on line 4. */
    private static final String BASE = """
            version: 1
            gateway: {listen: 127.0.0.1:0, upstream: http://central.test:9}
            audit: {path: audit.jsonl}
            """;

    private static AlgorithmsConfig valid(String algorithms) {
        try {
            return ConfigLoader.parse(BASE + algorithms, FILE).algorithms();
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static List<String> problems(String algorithms) {
        try {
            ConfigLoader.parse(BASE + algorithms, FILE);
        } catch (ConfigException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("expected a ConfigException for:\n" + algorithms);
    }

    @Test
    void withoutTheKeyTheSectionIsAbsent() {
        AlgorithmsConfig absent = valid("");

        assertThat(absent).isEqualTo(AlgorithmsConfig.ABSENT);
        assertThat(absent.present()).isFalse();
        assertThat(absent.allow()).isEmpty();
    }

    @Test
    void aPlainListRequiresDigests() {
        AlgorithmsConfig config = valid("""
                algorithms:
                  - image: harbor.example.org/algorithms/average@%s
                  - pattern: 'harbor\\.example\\.org/algorithms/[a-z-]+'
                    digests: [%s, %s]
                  - image: ubuntu
                """.formatted(D1, D1, D2));

        assertThat(config.present()).isTrue();
        assertThat(config.requireDigest()).isTrue();
        assertThat(config.allow()).containsExactly(
                new AlgorithmEntry(ImageReference.parse("harbor.example.org/algorithms/average@" + D1), null,
                        List.of(), new Position(FILE, 5, 5)),
                new AlgorithmEntry(null, "harbor\\.example\\.org/algorithms/[a-z-]+", List.of(D1, D2),
                        new Position(FILE, 6, 5)),
                new AlgorithmEntry(ImageReference.parseWithoutDefaultTag("ubuntu"), null, List.of(),
                        new Position(FILE, 8, 5)));
        assertThat(config.allow().get(2).image().tag()).as("a bare entry keeps no tag").isNull();
    }

    @Test
    void theMappingFormSetsRequireDigest() {
        AlgorithmsConfig config = valid("""
                algorithms:
                  requireDigest: false
                  allow:
                    - image: "ubuntu:22.04"
                """);

        assertThat(config.present()).isTrue();
        assertThat(config.requireDigest()).isFalse();
        assertThat(config.allow()).singleElement().extracting(AlgorithmEntry::image)
                .hasToString("docker.io/library/ubuntu:22.04");
        assertThat(valid("algorithms: {allow: []}\n")).isEqualTo(new AlgorithmsConfig(true, true, List.of()));
        assertThat(valid("algorithms: []\n")).isEqualTo(new AlgorithmsConfig(true, true, List.of()));
    }

    @Test
    void unknownKeysAreErrorsAtEveryLevel() {
        assertThat(problems("""
                algorithms:
                  requireDigests: true
                  allow:
                    - image: ubuntu
                      tag: latest
                """)).containsExactly(
                "gw.yaml:5:3: unknown key 'requireDigests' under algorithms; expected one of: requireDigest, allow",
                "gw.yaml:8:7: unknown key 'tag' under algorithms.allow[0]; expected one of: image, pattern, "
                        + "digests");
    }

    @Test
    void badValuesAreReportedAtTheValue() {
        assertThat(problems("""
                algorithms:
                  - image: Ubuntu
                  - pattern: 'harbor\\.example\\.org/(algorithms'
                  - image: ubuntu
                    digests: [sha256:abc, %s, sha512:00]
                  - image: ubuntu@%s
                    digests: [%s]
                  - image: ubuntu
                    digests: []
                """.formatted(D1, D1, D2))).containsExactly(
                "gw.yaml:5:12: algorithms[0].image: 'Ubuntu' is not a valid image reference: repository 'Ubuntu' "
                        + "has upper-case letters; expected a lower-case repository name",
                "gw.yaml:6:14: algorithms[1].pattern: bad regex 'harbor\\.example\\.org/(algorithms': "
                        + "Unclosed group at character 33",
                "gw.yaml:8:15: algorithms[2].digests: digest 'sha256:abc' has 3 characters after sha256:; expected "
                        + "64 lower-case hex digits",
                "gw.yaml:8:100: algorithms[2].digests: digest algorithm 'sha512' is not supported; expected "
                        + "sha256: followed by 64 lower-case hex digits",
                "gw.yaml:10:14: algorithms[3].digests: the image already pins " + D1 + "; give digests either in "
                        + "the image or in digests, not both",
                "gw.yaml:12:14: algorithms[4].digests: expected at least one digest, e.g. [sha256:<64 hex digits>]; "
                        + "remove digests to allow any digest");
    }

    @Test
    void aDotInThePatternsRegistryHostIsRefused() {
        assertThat(problems("""
                algorithms:
                  - pattern: 'harbor.example.org/algorithms/[a-z]+'
                  - pattern: '.*/algorithms/x'
                  - pattern: 'harbor\\.example\\.org/a|evil.org/b'
                """)).containsExactly(
                "gw.yaml:5:14: algorithms[0].pattern: pattern 'harbor.example.org/algorithms/[a-z]+': the '.' at "
                        + "character 7 is in the registry host (before the first '/') and matches any character, so "
                        + "look-alike hosts would match too (harbor.example.org also matches harborxexample.org); "
                        + "write '\\.' for a dot, or [^/]+ to allow any host on purpose",
                "gw.yaml:6:14: algorithms[1].pattern: pattern '.*/algorithms/x': the '.' at character 1 is in the "
                        + "registry host (before the first '/') and matches any character, so look-alike hosts "
                        + "would match too (harbor.example.org also matches harborxexample.org); write '\\.' for a "
                        + "dot, or [^/]+ to allow any host on purpose",
                "gw.yaml:7:14: algorithms[2].pattern: pattern 'harbor\\.example\\.org/a|evil.org/b': the '.' at "
                        + "character 28 is in the registry host (before the first '/') and matches any character, "
                        + "so look-alike hosts would match too (harbor.example.org also matches "
                        + "harborxexample.org); write '\\.' for a dot, or [^/]+ to allow any host on purpose");
    }

    @Test
    void escapedClassedAndQuotedDotsAndDotsAfterTheHostAreFine() {
        AlgorithmsConfig config = valid("""
                algorithms:
                  - pattern: 'harbor\\.example\\.org/algorithms/.+'
                  - pattern: 'harbor[.]example[.]org/a'
                  - pattern: '\\Qharbor.example.org\\E/a/.*'
                  - pattern: '[^/]+/algorithms/x'
                  - pattern: '(harbor|registry)\\.example\\.org/a(/.*)?'
                """);

        assertThat(config.allow()).hasSize(5);
    }

    @Test
    void wrongShapesSayWhatIsExpected() {
        assertThat(problems("algorithms: ubuntu\n")).containsExactly("gw.yaml:4:13: algorithms: expected a list "
                + "of entries, each a mapping with image or pattern (use [] to allow no image), or a mapping with "
                + "keys requireDigest, allow, got 'ubuntu'");
        assertThat(problems("algorithms:\n")).singleElement().asString()
                .startsWith("gw.yaml:4:12: algorithms: expected a list of entries").endsWith("got an empty value");
        assertThat(problems("""
                algorithms:
                  - ubuntu
                  - {}
                  - {image: ubuntu, pattern: 'docker\\.io/.*'}
                  - image: [ubuntu]
                """)).containsExactly(
                "gw.yaml:5:5: algorithms[0]: expected a mapping with keys image, pattern, digests, got 'ubuntu'",
                "gw.yaml:6:5: missing key 'image' or 'pattern' under algorithms[1]; expected image: "
                        + "NAME[:TAG][@sha256:DIGEST] or pattern: REGEX",
                "gw.yaml:7:30: algorithms[2]: an entry has either image or pattern, not both; write two entries",
                "gw.yaml:8:12: algorithms[3].image: expected an image reference such as "
                        + "harbor.example.org/algorithms/average@sha256:<64 hex digits>, got a list");
        assertThat(problems("algorithms: {requireDigest: yes}\n")).containsExactly(
                "gw.yaml:4:13: missing key 'allow' under algorithms; expected a list of entries, each a mapping "
                        + "with image or pattern, e.g. allow: [{image: ubuntu@sha256:...}]",
                "gw.yaml:4:29: algorithms.requireDigest: expected true or false, got 'yes'");
        assertThat(problems("algorithms: {allow: {image: ubuntu}}\n")).containsExactly(
                "gw.yaml:4:21: algorithms.allow: expected a list of entries, each a mapping with image or pattern "
                        + "(use [] to allow no image), got a mapping");
    }
}
