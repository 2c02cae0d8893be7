package org.sluice.policy.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

class ImageReferenceProperties {

    /**
     * Docker's grammar for a fully qualified reference, written out independently of ImageReference, restricted
     * the way Sluice restricts it (lower-case host, sha256 only).
     */
    private static final Pattern CANONICAL = Pattern.compile(
            "(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+])"
                    + "(?::[1-9][0-9]{0,4})?"
                    + "/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
                    + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
                    + "(?:@sha256:[0-9a-f]{64})?");

    /** Mostly valid parts, built the way the grammar composes them, with some raw junk mixed in. */
    @Provide
    Arbitrary<String> references() {
        Arbitrary<String> alnum = Arbitraries.strings().withChars("abz019").ofMinLength(1).ofMaxLength(4);
        Arbitrary<String> label = Arbitraries.frequencyOf(
                Tuple.of(8, alnum),
                Tuple.of(2, Combinators.combine(alnum, alnum).as((a, b) -> a + "-" + b)),
                Tuple.of(1, Arbitraries.strings().withChars("abz09-_").ofMinLength(0).ofMaxLength(4)));
        Arbitrary<String> host = Arbitraries.oneOf(
                Arbitraries.of("", "", "docker.io/", "index.docker.io/", "localhost/", "localhost:5000/",
                        "registry-1.docker.io/", "[::1]:5000/"),
                label.list().ofMinSize(2).ofMaxSize(3).map(labels -> String.join(".", labels) + "/"),
                Combinators.combine(label, Arbitraries.integers().between(0, 70000))
                        .as((l, port) -> l + ":" + port + "/"));
        Arbitrary<String> component = Arbitraries.frequencyOf(
                Tuple.of(5, alnum),
                Tuple.of(4, Combinators.combine(alnum, Arbitraries.of(".", "_", "__", "-", "--"), alnum)
                        .as((a, sep, b) -> a + sep + b)),
                Tuple.of(1, Arbitraries.strings().withChars("abz09._-A").ofMinLength(0).ofMaxLength(6)));
        Arbitrary<String> path = component.list().ofMinSize(1).ofMaxSize(3).map(c -> String.join("/", c));
        Arbitrary<String> tag = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just("")),
                Tuple.of(6, Combinators.combine(Arbitraries.of("a", "Z", "9", "_"),
                        Arbitraries.strings().withChars("aZ9_.-").ofMaxLength(9)).as((a, b) -> ":" + a + b)),
                Tuple.of(1, Arbitraries.strings().withChars("aZ9_.-:").ofMaxLength(4).map(t -> ":" + t)));
        Arbitrary<String> digest = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().withChars("0123456789abcdef").ofLength(64).map(h -> "@sha256:" + h));
        return Combinators.combine(host, path, tag, digest).as((h, p, t, d) -> h + p + t + d);
    }

    /** Mostly reference-like characters, some that never belong in one. */
    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.strings().withChars("abAB01:/@._- sha256").ofMaxLength(24);
    }

    @Property(tries = 5000)
    void canonicalFormIsAFixedPoint(@ForAll("references") String text) {
        Throwable failure = catchThrowable(() -> ImageReference.parse(text));
        Statistics.label("parsed").collect(failure == null);
        Statistics.label("parsed").coverage(c -> {
            c.check(true).percentage(p -> p > 30);
            c.check(false).percentage(p -> p > 5);
        });
        if (failure != null) {
            assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected");
            return;
        }
        ImageReference reference = ImageReference.parse(text);
        String canonical = reference.toString();
        ImageReference again = ImageReference.parse(canonical);

        assertThat(again).isEqualTo(reference);
        assertThat(again.toString()).isEqualTo(canonical);
        assertThat(canonical).matches(CANONICAL);
        assertThat(reference.name()).hasSizeLessThanOrEqualTo(ImageReference.MAX_NAME_CHARS);
        assertThat(reference.tag() != null || reference.digest() != null).as("a tag or a digest").isTrue();
        assertThat(ImageReference.parse(reference.familiarName()).name()).isEqualTo(reference.name());
    }

    @Property(tries = 5000)
    void anyTextIsEitherRefusedWithAReasonOrParsedToAFixedPoint(@ForAll("anyText") String text) {
        Throwable failure = catchThrowable(() -> ImageReference.parse(text));
        Statistics.label("parsed").collect(failure == null);
        if (failure != null) {
            assertThat(failure).isInstanceOf(IllegalArgumentException.class);
            assertThat(failure.getMessage()).isNotBlank().doesNotContain("\n");
            assertThatThrownBy(() -> ImageReference.parseWithoutDefaultTag(text))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(failure.getMessage());
            return;
        }
        ImageReference reference = ImageReference.parse(text);
        assertThat(ImageReference.parse(reference.toString())).isEqualTo(reference);
        assertThat(reference.toString()).matches(CANONICAL);
    }

    @Property(tries = 2000)
    void withoutDefaultTagDiffersOnlyByTheDefaultTag(@ForAll("references") String text) {
        ImageReference reference;
        try {
            reference = ImageReference.parse(text);
        } catch (IllegalArgumentException refused) {
            return;
        }
        ImageReference bare = ImageReference.parseWithoutDefaultTag(text);
        assertThat(bare.name()).isEqualTo(reference.name());
        assertThat(bare.digest()).isEqualTo(reference.digest());
        if (bare.tag() == null && bare.digest() == null) {
            assertThat(reference.tag()).isEqualTo(ImageReference.DEFAULT_TAG);
        } else {
            assertThat(bare).isEqualTo(reference);
        }
    }
}
