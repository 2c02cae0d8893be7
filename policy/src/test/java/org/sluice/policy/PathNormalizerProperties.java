package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;

class PathNormalizerProperties {

    /** Fragments chosen to collide: dots, slashes, escapes of every kind, broken escapes, backslashes. */
    @Provide
    Arbitrary<String> pathLike() {
        Arbitrary<String> piece = Arbitraries.of("/", "//", ".", "..", "a", "B", "~", "%", "%2", "%2e", "%2E", "%2f",
                "%2F", "%5c", "%5C", "\\", "%41", "%7e", "%25", "%20", "%00", "%c3", "%a9", "%C3%A9", "%e2%82%ac",
                "%f0%9f%98%80", "%zz", "\u00e9", "\t", ";", "*", "?");
        return piece.list().ofMaxSize(12).map(parts -> "/" + String.join("", parts));
    }

    @Property(tries = 3000)
    void normalizeNeverThrowsOnArbitraryStrings(@ForAll String raw) {
        NormalizedPath result = PathNormalizer.normalize(raw);
        assertThat(result.ok()).isEqualTo(result.path() != null);
    }

    @Property(tries = 3000)
    void normalizeNeverThrowsOnPathLikeStrings(@ForAll("pathLike") String raw) {
        NormalizedPath result = PathNormalizer.normalize(raw);
        assertThat(result.ok() ? result.error() : result.path()).isNull();
    }

    @Property(tries = 5000)
    void normalisationIsIdempotent(@ForAll("pathLike") String raw) {
        NormalizedPath once = PathNormalizer.normalize(raw);
        if (once.ok()) {
            NormalizedPath twice = PathNormalizer.normalize(once.path());
            assertThat(twice.ok()).isTrue();
            assertThat(twice.path()).isEqualTo(once.path());
        }
    }

    @Property(tries = 5000)
    void normalFormHasNoDotSegmentsEmptySegmentsOrLowerCaseEscapes(@ForAll("pathLike") String raw) {
        NormalizedPath result = PathNormalizer.normalize(raw);
        if (!result.ok()) {
            return;
        }
        String path = result.path();
        assertThat(path).startsWith("/").doesNotContain("//").doesNotContain("\\");
        assertThat(("/" + path.substring(1) + "/")).doesNotContain("/./").doesNotContain("/../");
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 3)) {
            String hex = path.substring(i + 1, i + 3);
            assertThat(hex).matches("[0-9A-F]{2}");
            int b = Integer.parseInt(hex, 16);
            boolean unreserved = Character.isLetterOrDigit(b) && b < 0x80 || "-._~".indexOf(b) >= 0;
            assertThat(unreserved || b == '/' || b == '\\' || b < 0x20 || b == 0x7F).as(hex).isFalse();
        }
    }

    @Property(tries = 5000)
    void encodedSlashOrBackslashIsNeverOk(@ForAll("pathLike") String prefix,
                                          @ForAll("separatorSpellings") String separator,
                                          @ForAll("pathLike") String suffix) {
        assertThat(PathNormalizer.normalize(prefix + separator + suffix).ok()).isFalse();
    }

    @Provide
    Arbitrary<String> separatorSpellings() {
        return Arbitraries.of("%2F", "%2f", "%5C", "%5c", "\\");
    }

    @Property(tries = 2000)
    void plainSegmentsSurviveUnchanged(@ForAll("plainSegments") String path) {
        assertThat(PathNormalizer.normalize(path).path()).isEqualTo(path);
    }

    @Provide
    Arbitrary<String> plainSegments() {
        Arbitrary<String> segment = Arbitraries.strings().withChars("abcXYZ019-_~:@!$&'()*+,;=")
                .ofMinLength(1).ofMaxLength(8).filter(s -> !s.equals(".") && !s.equals(".."));
        return Combinators.combine(segment.list().ofMaxSize(6), Arbitraries.of("", "/"))
                .as((segments, end) -> "/" + String.join("/", segments) + (segments.isEmpty() ? "" : end));
    }
}
