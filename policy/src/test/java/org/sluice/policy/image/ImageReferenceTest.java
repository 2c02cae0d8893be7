package org.sluice.policy.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

    static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    @ParameterizedTest
    @ValueSource(strings = {"ubuntu", "ubuntu:latest", "library/ubuntu", "library/ubuntu:latest",
            "docker.io/ubuntu", "docker.io/library/ubuntu", "docker.io/library/ubuntu:latest",
            "index.docker.io/library/ubuntu", "index.docker.io/ubuntu:latest"})
    void familiarAndCanonicalFormsOfTheSameImageAreEqual(String text) {
        ImageReference reference = ImageReference.parse(text);

        assertThat(reference.registry()).isEqualTo("docker.io");
        assertThat(reference.repository()).isEqualTo("library/ubuntu");
        assertThat(reference.tag()).isEqualTo("latest");
        assertThat(reference.digest()).isNull();
        assertThat(reference.name()).isEqualTo("docker.io/library/ubuntu");
        assertThat(reference.familiarName()).isEqualTo("ubuntu");
        assertThat(reference).hasToString("docker.io/library/ubuntu:latest")
                .isEqualTo(ImageReference.parse("docker.io/library/ubuntu:latest"))
                .hasSameHashCodeAs(ImageReference.parse("docker.io/library/ubuntu:latest"));
    }

    @Test
    void anExplicitTagIsKept() {
        assertThat(ImageReference.parse("ubuntu:22.04")).hasToString("docker.io/library/ubuntu:22.04")
                .isNotEqualTo(ImageReference.parse("ubuntu"));
        assertThat(ImageReference.parse("ubuntu:Jammy_1.x-rc")).hasToString("docker.io/library/ubuntu:Jammy_1.x-rc");
    }

    @Test
    void aUserRepositoryOnDockerHubGetsNoLibraryPrefix() {
        ImageReference reference = ImageReference.parse("vantage6/algorithm-average");

        assertThat(reference).hasToString("docker.io/vantage6/algorithm-average:latest");
        assertThat(reference.familiarName()).isEqualTo("vantage6/algorithm-average");
    }

    @Test
    void theFamiliarNameKeepsDockerIoWhenItsFirstComponentWouldBeReadAsAHost() {
        assertThat(ImageReference.parse("docker.io/a.b/c").familiarName()).isEqualTo("docker.io/a.b/c");
        assertThat(ImageReference.parse("docker.io/localhost/c").familiarName()).isEqualTo("docker.io/localhost/c");
        assertThat(ImageReference.parse("docker.io/library/a.b").familiarName()).isEqualTo("a.b");
        assertThat(ImageReference.parse("docker.io/library/a/b").familiarName()).isEqualTo("library/a/b");
    }

    @Test
    void aFirstComponentIsARegistryOnlyWithADotAColonOrAsLocalhost() {
        assertThat(ImageReference.parse("harbor.example.org/algorithms/average").name())
                .isEqualTo("harbor.example.org/algorithms/average");
        assertThat(ImageReference.parse("localhost/a").registry()).isEqualTo("localhost");
        assertThat(ImageReference.parse("myhost:5000/a").registry()).isEqualTo("myhost:5000");
        assertThat(ImageReference.parse("myhost/a").name()).isEqualTo("docker.io/myhost/a");
        assertThat(ImageReference.parse("localhostx/a").name()).isEqualTo("docker.io/localhostx/a");
        // No '/': the whole text is a name on docker.io, even with dots, and ':5000' is a tag (as Docker reads it).
        assertThat(ImageReference.parse("localhost:5000")).hasToString("docker.io/library/localhost:5000");
        assertThat(ImageReference.parse("harbor.example.org"))
                .hasToString("docker.io/library/harbor.example.org:latest");
    }

    @Test
    void aRegistryMayCarryAPortAndThenNoLibraryPrefixApplies() {
        ImageReference reference = ImageReference.parse("localhost:5000/a/b");

        assertThat(reference.registry()).isEqualTo("localhost:5000");
        assertThat(reference.repository()).isEqualTo("a/b");
        assertThat(reference.tag()).isEqualTo("latest");
        assertThat(reference).hasToString("localhost:5000/a/b:latest");
        assertThat(reference.familiarName()).isEqualTo("localhost:5000/a/b");
        assertThat(ImageReference.parse("localhost:5000/a").repository()).isEqualTo("a");
        assertThat(ImageReference.parse("harbor.example.org:8443/algorithms/avg:1.0"))
                .hasToString("harbor.example.org:8443/algorithms/avg:1.0");
        assertThat(ImageReference.parse("10.0.0.7:5000/avg").registry()).isEqualTo("10.0.0.7:5000");
        assertThat(ImageReference.parse("[::1]:5000/avg").registry()).isEqualTo("[::1]:5000");
    }

    @Test
    void onlyIndexDockerIoIsAnotherNameForDockerHub() {
        assertThat(ImageReference.parse("index.docker.io/ubuntu").name()).isEqualTo("docker.io/library/ubuntu");
        assertThat(ImageReference.parse("registry-1.docker.io/ubuntu").name())
                .isEqualTo("registry-1.docker.io/ubuntu");
        assertThat(ImageReference.parse("docker.io.example.org/ubuntu").name())
                .isEqualTo("docker.io.example.org/ubuntu");
    }

    @Test
    void tagAndDigestMayBothBeGiven() {
        ImageReference both = ImageReference.parse("ubuntu:22.04@" + DIGEST);
        ImageReference digestOnly = ImageReference.parse("ubuntu@" + DIGEST);

        assertThat(both.tag()).isEqualTo("22.04");
        assertThat(both.digest()).isEqualTo(DIGEST);
        assertThat(both).hasToString("docker.io/library/ubuntu:22.04@" + DIGEST);
        assertThat(digestOnly.tag()).as("a digest alone gets no default tag").isNull();
        assertThat(digestOnly).hasToString("docker.io/library/ubuntu@" + DIGEST);
        assertThat(ImageReference.parse("localhost:5000/a:1@" + DIGEST))
                .hasToString("localhost:5000/a:1@" + DIGEST);
    }

    @Test
    void withoutDefaultTagABareNameKeepsNoTag() {
        ImageReference bare = ImageReference.parseWithoutDefaultTag("ubuntu");

        assertThat(bare.tag()).isNull();
        assertThat(bare.digest()).isNull();
        assertThat(bare).hasToString("docker.io/library/ubuntu");
        assertThat(ImageReference.parseWithoutDefaultTag("ubuntu:latest").tag()).isEqualTo("latest");
    }

    @Test
    void separatorsWithinAComponentFollowDockersGrammar() {
        for (String ok : new String[] {"a.b", "a_b", "a__b", "a-b", "a---b", "a1.b2_c3-d4", "0"}) {
            assertThat(ImageReference.parse("x/" + ok).repository()).isEqualTo("x/" + ok);
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                                  | the reference is empty
            " ubuntu"                           | whitespace or a control character at position 1
            "ubuntu :1"                         | whitespace or a control character at position 7
            "https://harbor.example.org/a"      | has no scheme: remove 'https://'
            "ubuntu@sha256:x@sha256:y"          | more than one '@'
            "ubuntu:"                           | the tag after ':' is empty
            ":latest"                           | no name before its tag
            "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" | no name before its digest
            "ubuntu:.hidden"                    | tag '.hidden' is not valid
            "ubuntu:-x"                         | tag '-x' is not valid
            "ubuntu:a+b"                        | tag 'a+b' is not valid
            "Ubuntu"                            | repository 'Ubuntu' has upper-case letters
            "library/Ubuntu:22.04"              | repository 'library/Ubuntu' has upper-case letters
            "Foo/bar"                           | repository 'Foo/bar' has upper-case letters
            "Harbor.example.org/a"              | registry host 'Harbor.example.org' has upper-case letters
            "harbor..example.org/a"             | registry host 'harbor..example.org' is not valid
            "-harbor.example.org/a"             | registry host '-harbor.example.org' is not valid
            "harbor_x.example.org/a"            | registry host 'harbor_x.example.org' is not valid
            ":5000/a"                           | registry host '' is not valid
            "localhost:0/a"                     | registry port '0' is not valid
            "localhost:05000/a"                 | registry port '05000' is not valid
            "localhost:65536/a"                 | registry port '65536' is not valid
            "localhost:/a"                      | registry port '' is not valid
            "localhost:ab/a"                    | registry port 'ab' is not valid
            "harbor.example.org/"               | names registry harbor.example.org but no repository
            "harbor.example.org//a"             | starts with '/' or has an empty component
            "/ubuntu"                           | starts with '/' or has an empty component
            "a//b"                              | has an empty component ('//')
            "a/b/"                              | ends with '/'
            "a/../b"                            | path component '..' is not valid
            "harbor.example.org/algorithms/avg/../x" | path component '..' is not valid
            "a/.b"                              | path component '.b' is not valid
            "a/b_"                              | path component 'b_' is not valid
            "a/b___c"                           | path component 'b___c' is not valid
            "a:b:c"                             | path component 'a:b' is not valid
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" | is an image ID, not a name
            """)
    void everyRejectionSaysWhatIsWrong(String text, String reason) {
        assertThatThrownBy(() -> ImageReference.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining("expected");
    }

    @Test
    void anUpperCaseFirstComponentIsExplainedAsAHostThatIsNotOne() {
        String hint = "(a first component is a registry host only if it has '.' or ':' or is localhost";
        assertThatThrownBy(() -> ImageReference.parse("Foo/bar")).hasMessageContaining(hint);
        assertThatThrownBy(() -> ImageReference.parse("LOCALHOST/bar")).hasMessageContaining(hint);
        assertThatThrownBy(() -> ImageReference.parse("library/Ubuntu")).message().doesNotContain(hint);
        assertThatThrownBy(() -> ImageReference.parse("Ubuntu")).message().doesNotContain(hint);
        assertThatThrownBy(() -> ImageReference.parse("docker.io/Foo/bar")).message().doesNotContain(hint);
    }

    @Test
    void imageIdRejectionSuggestsTheDigestForm() {
        String id = "0123456789abcdef".repeat(4);
        assertThatThrownBy(() -> ImageReference.parse(id)).hasMessageContaining("NAME@sha256:" + id);
    }

    @Test
    void tagsUpTo128CharactersAndNamesUpTo255() {
        assertThat(ImageReference.parse("a:" + "t".repeat(128)).tag()).hasSize(128);
        assertThatThrownBy(() -> ImageReference.parse("a:" + "t".repeat(129)))
                .hasMessageContaining("is not valid; expected 1 to 128");
        String longest = "x/" + "a".repeat(255 - "docker.io/x/".length());
        assertThat(ImageReference.parse(longest).name()).hasSize(255);
        assertThatThrownBy(() -> ImageReference.parse(longest + "a"))
                .hasMessage("the name is 256 characters long as registry/repository; expected at most 255");
        // The limit counts the canonical name, so docker.io/library/ counts for a familiar name too.
        String familiar = "a".repeat(255 - "docker.io/library/".length());
        assertThat(ImageReference.parse(familiar).name()).hasSize(255);
        assertThatThrownBy(() -> ImageReference.parse(familiar + "a")).hasMessageContaining("256 characters");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            sha256:abc                                | has 3 characters after sha256:; expected 64
            sha256:                                   | has 0 characters after sha256:; expected 64
            sha512:0123                               | digest algorithm 'sha512' is not supported
            SHA256:0123                               | digest algorithm 'SHA256' is not supported
            0123456789abcdef                          | has no algorithm
            """)
    void digestsAreSha256With64LowerCaseHexDigits(String digest, String reason) {
        assertThatThrownBy(() -> ImageReference.parseDigest(digest)).hasMessageContaining(reason)
                .hasMessageContaining("expected");
        assertThatThrownBy(() -> ImageReference.parse("ubuntu@" + digest)).hasMessageContaining(reason);
    }

    @Test
    void digestHexMustBeLowerCaseAndExactly64Digits() {
        String upper = "sha256:" + "0123456789ABCDEF".repeat(4);
        assertThatThrownBy(() -> ImageReference.parseDigest(upper))
                .hasMessageContaining("is not 64 lower-case hex digits");
        assertThatThrownBy(() -> ImageReference.parseDigest("sha256:" + "g".repeat(64)))
                .hasMessageContaining("is not 64 lower-case hex digits");
        assertThatThrownBy(() -> ImageReference.parseDigest(DIGEST + "0"))
                .hasMessageContaining("has 65 characters");
        assertThat(ImageReference.parseDigest(DIGEST)).isEqualTo(DIGEST);
    }

    @Test
    void controlCharactersAreRefusedBeforeAnythingElse() {
        assertThatThrownBy(() -> ImageReference.parse("https://a\u001b[31m/x"))
                .hasMessageContaining("whitespace or a control character at position 10");
    }
}
