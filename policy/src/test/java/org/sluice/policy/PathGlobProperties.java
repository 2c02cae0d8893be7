package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

class PathGlobProperties {

    /** Tiny alphabets so that random globs and paths match often enough to test both outcomes. */
    @Provide
    Arbitrary<String> globs() {
        return Arbitraries.of("a", "b", "ab", "", "*", "**", "**", "**", "a*", "*b", "a*b", "*a*", "b*a*b")
                .list().ofMinSize(1).ofMaxSize(5).map(segments -> "/" + String.join("/", segments));
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.of("a", "b", "ab", "ba", "aab", "bab", "")
                .list().ofMinSize(1).ofMaxSize(5).map(segments -> "/" + String.join("/", segments));
    }

    @Property(tries = 20000)
    void compiledMatcherAgreesWithRegexReference(@ForAll("globs") String glob, @ForAll("paths") String path) {
        boolean expected = referenceRegex(glob).matcher(path).matches();
        Statistics.label("match").collect(expected);
        assertThat(PathGlob.compile(glob).matches(path)).as("%s ~ %s", glob, path).isEqualTo(expected);
        Statistics.label("match").coverage(c -> {
            c.check(true).percentage(p -> p > 5);
            c.check(false).percentage(p -> p > 5);
        });
    }

    /** The glob rules written as a regex, one "/segment" unit per glob segment. */
    static Pattern referenceRegex(String glob) {
        List<String> segments = List.of(glob.substring(1).split("/", -1));
        StringBuilder regex = new StringBuilder();
        for (String segment : segments) {
            if (segment.equals("**")) {
                regex.append("(?:/[^/]*)*");
            } else if (segment.equals("*")) {
                regex.append("/[^/]+");
            } else {
                regex.append('/');
                String[] pieces = segment.split("\\*", -1);
                for (int i = 0; i < pieces.length; i++) {
                    if (i > 0) {
                        regex.append("[^/]*");
                    }
                    regex.append(Pattern.quote(pieces[i]));
                }
            }
        }
        return Pattern.compile(regex.toString());
    }
}
