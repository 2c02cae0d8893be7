package org.sluice.policy.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sluice.policy.content.ContentTesting.SECRET;
import static org.sluice.policy.content.ContentTesting.body;
import static org.sluice.policy.content.ContentTesting.content;
import static org.sluice.policy.content.ContentTesting.inspect;
import static org.sluice.policy.content.ContentTesting.utf8;

import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/** Stages (c) json limits and (d) jsonSchema. */
class ContentJsonTest {

    private static final int NO = Integer.MAX_VALUE;

    @Test
    void depthAtTheLimitPassesAndOneMoreIsRefused() {
        ContentCheck check = content().json(32, NO, NO, NO).compile();
        assertThat(inspect(check, json(nested(32))).passed()).isTrue();
        ContentVerdict over = inspect(check, json(nested(33)));
        assertThat(over.refusedBy()).isEqualTo("json");
        assertThat(over.reason()).isEqualTo("the body nests more than 32 levels; rule allows at most 32"
                + " (content.json.maxDepth)");
    }

    @Test
    void arrayLengthAtTheLimitPassesAndOneMoreIsRefused() {
        ContentCheck check = content().json(NO, 3, NO, NO).compile();
        assertThat(inspect(check, json("{\"a\":[1,2,3],\"b\":[[1,2,3],[4,5,6],{\"c\":[7,8,9]}]}")).passed())
                .isTrue();
        ContentVerdict over = inspect(check, json("{\"a\":[1,2,3],\"b\":[[1,2,3],[4,5,6,7]]}"));
        assertThat(over.refusedBy()).isEqualTo("json");
        assertThat(over.reason()).contains("more than 3 elements").contains("content.json.maxArrayLength");
        assertThat(inspect(check, json("[{},{},[],\"x\"]")).refusedBy()).as("containers are elements too")
                .isEqualTo("json");
    }

    @Test
    void stringLengthCountsKeysAndValues() {
        ContentCheck check = content().json(NO, NO, 5, NO).compile();
        assertThat(inspect(check, json("{\"abcde\":\"12345\"}")).passed()).isTrue();
        ContentVerdict value = inspect(check, json("{\"a\":\"123456\"}"));
        assertThat(value.refusedBy()).isEqualTo("json");
        assertThat(value.reason()).isEqualTo("a string in the body has 6 characters; rule allows at most 5"
                + " (content.json.maxStringLength)");
        assertThat(inspect(check, json("{\"abcdef\":1}")).refusedBy()).isEqualTo("json");
    }

    @Test
    void numbersAreCountedOverTheWholeBody() {
        ContentCheck check = content().json(NO, NO, NO, 4).compile();
        assertThat(inspect(check, json("{\"a\":[1,2.5],\"b\":{\"c\":-3e2,\"d\":\"4\"},\"e\":5}")).passed())
                .isTrue();
        ContentVerdict over = inspect(check, json("{\"a\":[1,2.5],\"b\":{\"c\":-3e2},\"e\":5,\"f\":6}"));
        assertThat(over.refusedBy()).isEqualTo("json");
        assertThat(over.reason()).contains("more than 4 numbers").contains("content.json.maxNumbers");
    }

    @Test
    void aTableDressedAsAResultIsRefusedAtTheFirstCrossing() {
        StringJoiner numbers = new StringJoiner(",", "{\"weights\":[", "]}");
        for (int i = 0; i < 100_000; i++) {
            numbers.add(Integer.toString(i));
        }
        ContentVerdict verdict = inspect(content().json(NO, NO, NO, 1000).compile(), json(numbers.toString()));
        assertThat(verdict.refusedBy()).isEqualTo("json");
    }

    @Test
    void limitsApplyToAJsonBodyDeclaredOtherwise() {
        ContentVerdict verdict = inspect(content().json(2, NO, NO, NO).compile(),
                body(utf8(nested(3)), "text/plain"));
        assertThat(verdict.refusedBy()).isEqualTo("json");
    }

    @Test
    void typesDecidesBeforeJsonLimitsWhenTheBodyIsNotJson() {
        ContentCheck check = content().types("application/json").json(NO, NO, NO, 1).compile();
        assertThat(inspect(check, json("[1,2,3] trailing")).refusedBy()).isEqualTo("types");
        assertThat(inspect(check, json("[1,2,3]")).refusedBy()).isEqualTo("json");
    }

    private static final String RESULT_SCHEMA = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema",
             "type":"object",
             "properties":{"mean":{"type":"number"},"count":{"type":"integer","minimum":10}},
             "required":["mean","count"],
             "additionalProperties":false}""";

    @Test
    void aBodyThatSatisfiesTheSchemaPasses() {
        ContentVerdict verdict = inspect(schemaCheck(), json("{\"mean\":4.25,\"count\":12}"));
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.schemaErrors()).isZero();
    }

    @Test
    void theReasonCountsErrorsAndNamesTheFirstKeywordAndSchemaLocation() {
        ContentVerdict verdict = inspect(schemaCheck(), json("{\"mean\":\"" + SECRET + "\",\"count\":3}"));
        assertThat(verdict.refusedBy()).isEqualTo("jsonSchema");
        assertThat(verdict.schemaErrors()).isEqualTo(2);
        assertThat(verdict.reason()).startsWith("the body breaks jsonSchema result.schema.json in 2 places (first: '")
                .containsAnyOf("'type' at #/properties/mean/type", "'minimum' at #/properties/count/minimum");
    }

    @Test
    void anExtraPropertyNamedWithDataIsNotRepeated() {
        ContentVerdict verdict = inspect(schemaCheck(),
                json("{\"mean\":1,\"count\":10,\"" + SECRET + "\":1}"));
        assertThat(verdict.refusedBy()).isEqualTo("jsonSchema");
        assertThat(verdict.schemaErrors()).isEqualTo(1);
        assertThat(verdict.reason()).isEqualTo("the body breaks jsonSchema result.schema.json in 1 place"
                + " (first: 'additionalProperties' at #/additionalProperties) (content.jsonSchema)");
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedByTheSchema() {
        ContentVerdict verdict = inspect(schemaCheck(), body(utf8("mean=1&count=20&" + SECRET), "text/plain"));
        assertThat(verdict.refusedBy()).isEqualTo("jsonSchema");
        assertThat(verdict.reason()).contains("is not one JSON value");
    }

    @Test
    void jsonLimitsDecideBeforeTheSchema() {
        ContentCheck check = content().json(NO, NO, NO, 1).schema("result.schema.json", RESULT_SCHEMA).compile();
        assertThat(inspect(check, json("{\"mean\":4.25,\"count\":12}")).refusedBy()).isEqualTo("json");
    }

    @Test
    void bigNumbersDoNotMakeTheSchemaSlow() {
        ContentCheck check = content().schema("s.json", "{\"properties\":{\"x\":{\"multipleOf\":0.01}}}").compile();
        long start = System.nanoTime();
        ContentVerdict verdict = inspect(check, json("{\"x\":1e999999999}"));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
        assertThat(verdict.refusedBy()).isEqualTo("jsonSchema");
        assertThat(verdict.reason()).contains("beyond the range of a double");
    }

    private static ContentCheck schemaCheck() {
        return content().schema("result.schema.json", RESULT_SCHEMA).compile();
    }

    private static String nested(int levels) {
        return "[".repeat(levels) + "]".repeat(levels);
    }

    private static ContentInput json(String text) {
        return body(utf8(text), "application/json");
    }
}
