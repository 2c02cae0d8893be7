package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathGlobTest {

    static Stream<Arguments> table() {
        return Stream.of(
                // '**' as a whole segment: zero or more segments
                Arguments.of("/api/**", "/api", true),
                Arguments.of("/api/**", "/api/", true),
                Arguments.of("/api/**", "/api/a", true),
                Arguments.of("/api/**", "/api/a/b/c", true),
                Arguments.of("/api/**", "/apix", false),
                Arguments.of("/api/**", "/ap", false),
                Arguments.of("/api/**", "/", false),
                Arguments.of("/api/**", "/other/api", false),
                Arguments.of("/**", "/", true),
                Arguments.of("/**", "/anything/at/all", true),
                Arguments.of("/**/health", "/health", true),
                Arguments.of("/**/health", "/a/b/health", true),
                Arguments.of("/**/health", "/a/b/health/x", false),
                Arguments.of("/a/**/b/**/c", "/a/b/c", true),
                Arguments.of("/a/**/b/**/c", "/a/x/b/y/z/c", true),
                Arguments.of("/a/**/b/**/c", "/a/x/y/c", false),
                Arguments.of("/a/**/b", "/a/b/b/b", true),
                // lone '*': exactly one non-empty segment
                Arguments.of("/api/*", "/api/x", true),
                Arguments.of("/api/*", "/api/", false),
                Arguments.of("/api/*", "/api", false),
                Arguments.of("/api/*", "/api/x/y", false),
                Arguments.of("/*/tasks", "/v1/tasks", true),
                Arguments.of("/*/tasks", "/tasks", false),
                // '*' within a segment: any run except '/', possibly empty
                Arguments.of("/files/*.json", "/files/a.json", true),
                Arguments.of("/files/*.json", "/files/.json", true),
                Arguments.of("/files/*.json", "/files/a/b.json", false),
                Arguments.of("/files/*.json", "/files/a.jsonx", false),
                Arguments.of("/v*/x", "/v/x", true),
                Arguments.of("/v*/x", "/v12/x", true),
                Arguments.of("/a*b*c", "/abc", true),
                Arguments.of("/a*b*c", "/axxbyyc", true),
                Arguments.of("/a*b*c", "/acb", false),
                Arguments.of("/a*b*c", "/abcbc", true),
                Arguments.of("/ab*ba", "/aba", false),
                Arguments.of("/*a*", "/bab", true),
                Arguments.of("/*a*", "/bbb", false),
                // literal, case-sensitive, trailing slash significant
                Arguments.of("/api/tasks", "/api/tasks", true),
                Arguments.of("/api/tasks", "/API/tasks", false),
                Arguments.of("/api/tasks", "/api/tasks/", false),
                Arguments.of("/api/tasks/", "/api/tasks/", true),
                Arguments.of("/api/tasks/", "/api/tasks", false),
                Arguments.of("/", "/", true),
                Arguments.of("/", "/a", false),
                Arguments.of("/a%20b", "/a%20b", true),
                Arguments.of("/a.b", "/aXb", false));
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @MethodSource("table")
    void matchesAsDocumented(String glob, String path, boolean expected) {
        assertThat(PathGlob.compile(glob).matches(path)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "api/**", "/a**b", "/api/***", "/**x", "/x**"})
    void refusesGlobsTheLoaderRefuses(String glob) {
        assertThatThrownBy(() -> PathGlob.compile(glob)).isInstanceOf(IllegalArgumentException.class);
    }
}
