package org.sluice.policy.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.sluice.policy.config.ContentConfig.Opaque;

/** Whatever the bytes and the rule: inspect answers (never throws), and its reason never quotes the request. */
class ContentCheckProperties {

    @Provide
    Arbitrary<ContentCheck> checks() {
        Arbitrary<ContentTesting.Builder> builders = Combinators.combine(
                Arbitraries.of(true, false), Arbitraries.integers().between(0, 6), Arbitraries.of(true, false),
                Arbitraries.of(true, false), Arbitraries.integers().between(1, 4), Arbitraries.of(Opaque.values()))
                .as((types, json, schema, scan, layers, opaque) -> {
                    ContentTesting.Builder b = ContentTesting.content().opaque(opaque)
                            .decode(layers, 20, 1 << 20);
                    if (types) {
                        b.types("application/json", "text/*", "image/png", "application/x-www-form-urlencoded");
                    }
                    if (json > 0) {
                        b.json(json, json * 2, json * 4, json * 3);
                    }
                    if (schema) {
                        b.schema("s.json", "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\","
                                + "\"minimum\":3}},\"additionalProperties\":false}");
                    }
                    if (scan) {
                        b.protectedData(0, 0);
                    }
                    return b;
                });
        return builders.map(ContentTesting.Builder::compile);
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
        Arbitrary<byte[]> text = Arbitraries.strings().withChars("{}[]\":,0123456789abcXYZ+/=%-_ \n\\")
                .ofMaxLength(400).map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(raw, text, raw.map(ContentTesting::gzip), raw.map(ContentTesting::zstd),
                raw.map(b -> ContentTesting.base64(b).getBytes(StandardCharsets.US_ASCII)),
                raw.map(b -> ("{\"a\":\"" + ContentTesting.base64(ContentTesting.gzip(b)) + "\"}")
                        .getBytes(StandardCharsets.US_ASCII)));
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of(null, "application/json", "text/plain; charset=utf-8", "image/png", "text/csv",
                "application/x-www-form-urlencoded", "application/octet-stream", "x/y", "");
    }

    @Provide
    Arbitrary<String> encodings() {
        return Arbitraries.of(null, "gzip", "deflate", "zstd", "br", "identity", "gzip, zstd", "", "x-gzip, gzip");
    }

    @Property(tries = 1000)
    void inspectAnswersAndNeverQuotesTheRequest(@ForAll("checks") ContentCheck check,
            @ForAll("bodies") byte[] body, @ForAll("contentTypes") String contentType,
            @ForAll("encodings") String contentEncoding, @ForAll("bodies") byte[] query) {
        String q = new String(query, StandardCharsets.ISO_8859_1);
        ContentInput input = new ContentInput(body, contentType, contentEncoding, q, List.of(q));
        ContentVerdict verdict = check.inspect(input);
        assertThat(verdict).isNotNull();
        assertThat(verdict.passed()).isEqualTo(verdict.reason() == null);
        if (verdict.reason() != null) {
            byte[] reason = verdict.reason().getBytes(StandardCharsets.UTF_8);
            assertThat(ContentTesting.sharedRun(reason, body, 8)).as(verdict.reason()).isNull();
        }
        ContentTesting.assertNoLeak(verdict, input);
        assertThat(verdict.entropy()).isBetween(-1.0, 8.0);
    }
}
