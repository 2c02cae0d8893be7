package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PathNormalizerTest {

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("/", "/"),
                Arguments.of("/api/v1/tasks", "/api/v1/tasks"),
                Arguments.of("/api/../admin", "/admin"),
                Arguments.of("/api/%2e%2e/admin", "/admin"),
                Arguments.of("/api/%2E%2E/admin", "/admin"),
                Arguments.of("/api/.%2e/admin", "/admin"),
                Arguments.of("/api/%2e/admin", "/api/admin"),
                Arguments.of("/a/./b//c", "/a/b/c"),
                Arguments.of("//a///b", "/a/b"),
                Arguments.of("/a/b/", "/a/b/"),
                Arguments.of("/a/b//", "/a/b/"),
                Arguments.of("/a/.", "/a/"),
                Arguments.of("/a/b/..", "/a/"),
                Arguments.of("/a/..", "/"),
                Arguments.of("/.", "/"),
                Arguments.of("//", "/"),
                Arguments.of("/a//../b", "/b"),
                Arguments.of("/%7e", "/~"),
                Arguments.of("/%7Euser", "/~user"),
                Arguments.of("/%41", "/A"),
                Arguments.of("/%61%2D%5f%2e%30", "/a-_.0"),
                Arguments.of("/%c3%a9", "/%C3%A9"),
                Arguments.of("/caf%C3%A9", "/caf%C3%A9"),
                Arguments.of("/%e2%82%ac", "/%E2%82%AC"),
                Arguments.of("/%f0%9f%98%80", "/%F0%9F%98%80"),
                Arguments.of("/a%20b", "/a%20b"),
                Arguments.of("/q%3fx", "/q%3Fx"),
                Arguments.of("/pct%25", "/pct%25"),
                Arguments.of("/%25%32%46", "/%252F"),
                Arguments.of("/..a/a..", "/..a/a.."),
                Arguments.of("/...", "/..."),
                Arguments.of("/a;b=c/*", "/a;b=c/*"),
                Arguments.of("/file.json", "/file.json"),
                Arguments.of("/a/..b;c/d", "/a/..b;c/d"),
                Arguments.of("/user@host:x/!$&'()+,=", "/user@host:x/!$&'()+,="));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("accepted")
    void normalisesAcceptedPaths(String raw, String expected) {
        NormalizedPath result = PathNormalizer.normalize(raw);
        assertThat(result.ok()).as(String.valueOf(result.error())).isTrue();
        assertThat(result.path()).isEqualTo(expected);
        assertThat(result.error()).isNull();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("", "empty"),
                Arguments.of("api/x", "must start with '/'"),
                Arguments.of("*", "must start with '/'"),
                Arguments.of("http://h/x", "must start with '/'"),
                Arguments.of("/api%2fadmin", "encoded '/'"),
                Arguments.of("/api%2Fadmin", "encoded '/'"),
                Arguments.of("/api%5cadmin", "encoded backslash"),
                Arguments.of("/api%5Cadmin", "encoded backslash"),
                Arguments.of("/a\\b", "backslash"),
                Arguments.of("/api/%00", "control character"),
                Arguments.of("/api/%1f", "control character"),
                Arguments.of("/api/%7F", "control character"),
                Arguments.of("/api/\u0000", "control character"),
                Arguments.of("/api/a\tb", "control character"),
                Arguments.of("/api/\u007f", "control character"),
                Arguments.of("/caf\u00e9", "non-ASCII"),
                Arguments.of("/\ud83d\ude00", "non-ASCII"),
                Arguments.of("/%2E%2E/x", "climbs above the root"),
                Arguments.of("/..", "climbs above the root"),
                Arguments.of("/a/../..", "climbs above the root"),
                Arguments.of("/a/../../b", "climbs above the root"),
                Arguments.of("/%G1", "malformed percent-escape"),
                Arguments.of("/a%", "malformed percent-escape"),
                Arguments.of("/%4", "malformed percent-escape"),
                Arguments.of("/%4/", "malformed percent-escape"),
                Arguments.of("/%\u0661\u0661", "malformed percent-escape"),
                Arguments.of("/%c3", "not valid UTF-8"),
                Arguments.of("/%c3x", "not valid UTF-8"),
                Arguments.of("/%c3%41", "not valid UTF-8"),
                Arguments.of("/%a9", "not valid UTF-8"),
                Arguments.of("/%c0%af", "not valid UTF-8"),
                Arguments.of("/%e0%80%af", "not valid UTF-8"),
                Arguments.of("/%ed%a0%80", "not valid UTF-8"),
                Arguments.of("/%f4%90%80%80", "not valid UTF-8"),
                Arguments.of("/%f5%80%80%80", "not valid UTF-8"),
                Arguments.of("/%e2%82", "not valid UTF-8"),
                Arguments.of("/%c3%a", "malformed percent-escape"),
                Arguments.of("/api/..;/admin", "dot segment with a ';' parameter"),
                Arguments.of("/api/%2e%2e;x/admin", "dot segment with a ';' parameter"),
                Arguments.of("/api/.;/admin", "dot segment with a ';' parameter"),
                Arguments.of("/api/a b", "allows only percent-encoded"),
                Arguments.of("/api/a\"b", "allows only percent-encoded"),
                Arguments.of("/api/<x>", "allows only percent-encoded"),
                Arguments.of("/api/{x}", "allows only percent-encoded"),
                Arguments.of("/api/a|b", "allows only percent-encoded"),
                Arguments.of("/api/a^b", "allows only percent-encoded"),
                Arguments.of("/api/a`b", "allows only percent-encoded"));
    }

    @ParameterizedTest(name = "{0} refused: {1}")
    @MethodSource("refused")
    void refusesAmbiguousPaths(String raw, String reasonFragment) {
        NormalizedPath result = PathNormalizer.normalize(raw);
        assertThat(result.ok()).isFalse();
        assertThat(result.path()).isNull();
        assertThat(result.error()).contains(reasonFragment);
    }

    @Test
    void nullIsRefusedNotThrown() {
        assertThat(PathNormalizer.normalize(null).ok()).isFalse();
    }

    @Test
    void plainPathIsReturnedAsTheSameString() {
        String raw = "/api/v1/tasks/17";
        assertThat(PathNormalizer.normalize(raw).path()).isSameAs(raw);
    }
}
