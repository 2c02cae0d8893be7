package org.sluice.policy.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sluice.policy.content.ContentTesting.SECRET;
import static org.sluice.policy.content.ContentTesting.body;
import static org.sluice.policy.content.ContentTesting.content;
import static org.sluice.policy.content.ContentTesting.gzip;
import static org.sluice.policy.content.ContentTesting.inspect;
import static org.sluice.policy.content.ContentTesting.utf8;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Stage (b): the declared type is listed, and the bytes are what it says. */
class ContentTypesTest {

    private static final byte[] JSON = utf8("{\"mean\":4.5,\"count\":12,\"note\":\"" + SECRET + "\"}");
    private static final byte[] PNG_START = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13};

    private final ContentCheck check = content()
            .types("application/json", "text/*", "image/png", "application/x-www-form-urlencoded",
                    "application/octet-stream")
            .compile();

    @Test
    void aListedTypeWhoseBytesAgreePasses() {
        assertThat(inspect(check, body(JSON, "application/json; charset=utf-8")).passed()).isTrue();
        assertThat(inspect(check, body(JSON, "Application/JSON")).passed()).isTrue();
        assertThat(inspect(check, body(utf8("plain words " + SECRET), "text/plain")).passed()).isTrue();
        assertThat(inspect(check, body(PNG_START, "image/png")).passed()).isTrue();
        assertThat(inspect(check, body(utf8("a=1&b=x%20y+z"), "application/x-www-form-urlencoded")).passed())
                .isTrue();
        assertThat(inspect(check, body(new byte[] {0, 1, 2}, "application/octet-stream")).passed()).isTrue();
    }

    @Test
    void typeWildcardAllowsTheWholeType() {
        assertThat(inspect(check, body(utf8("a,b\n1,2\n"), "text/csv")).passed()).isTrue();
    }

    @Test
    void anUnlistedTypeIsRefusedAndAnInventedOneIsNotRepeated() {
        ContentVerdict xml = inspect(check, body(utf8("<a/>"), "application/xml"));
        assertThat(xml.refusedBy()).isEqualTo("types");
        assertThat(xml.reason()).isEqualTo("the body's Content-Type application/xml is not one the rule allows"
                + " (content.types)");
        ContentVerdict invented = inspect(check, body(utf8("x"), "application/x-" + SECRET));
        assertThat(invented.refusedBy()).isEqualTo("types");
        assertThat(invented.reason()).contains("of another type");
    }

    @Test
    void aBodyWithoutContentTypeIsRefused() {
        ContentVerdict verdict = inspect(check, body(JSON, null));
        assertThat(verdict.refusedBy()).isEqualTo("types");
        assertThat(verdict.reason()).contains("no Content-Type");
    }

    @Test
    void anEmptyBodyNeedsNoType() {
        assertThat(inspect(check, body(new byte[0], null)).passed()).isTrue();
        assertThat(inspect(check, body(new byte[0], "application/json")).passed()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json at all",
            "{\"a\":1} {\"b\":2}",
            "{\"a\":1}x",
            "{\"a\":1 /* comment */}",
            "{'a':1}",
            "{\"a\":01}",
            "{\"a\":1,\"a\":2}",
            "[1,2",
            "{\"a\":NaN}"})
    void jsonDeclaredButNotStrictJsonIsRefused(String text) {
        ContentVerdict verdict = inspect(check, body(utf8(text), "application/json"));
        assertThat(verdict.refusedBy()).as(text).isEqualTo("types");
        assertThat(verdict.reason()).contains("not one well-formed JSON value");
    }

    @Test
    void jsonInAnotherEncodingIsRefused() {
        byte[] utf16 = "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_16BE);
        assertThat(inspect(check, body(utf16, "application/json")).refusedBy()).isEqualTo("types");
        byte[] latin1 = "{\"a\":\"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(inspect(check, body(latin1, "application/json")).refusedBy()).isEqualTo("types");
    }

    @Test
    void plusJsonTypesAreJson() {
        ContentCheck problem = content().types("application/*").compile();
        assertThat(inspect(problem, body(utf8("{\"a\":"), "application/problem+json")).refusedBy())
                .isEqualTo("types");
        assertThat(inspect(problem, body(JSON, "application/problem+json")).passed()).isTrue();
    }

    @Test
    void textOrJsonThatIsReallyGzipIsRefusedNamingTheFormat() {
        ContentVerdict text = inspect(check, body(gzip(utf8(SECRET)), "text/plain"));
        assertThat(text.refusedBy()).isEqualTo("types");
        assertThat(text.reason()).isEqualTo("the body is declared text/plain but its bytes are gzip (content.types)");
        ContentVerdict json = inspect(check, body(gzip(JSON), "application/json"));
        assertThat(json.reason()).contains("its bytes are gzip");
    }

    @Test
    void asciiOnlyBinaryFormatsAreSniffedToo() {
        byte[] pdf = utf8("%PDF-1.7\n1 0 obj << >> endobj\n");
        assertThat(inspect(check, body(pdf, "text/plain")).reason()).contains("its bytes are pdf");
    }

    @Test
    void textWithNulOrBadUtf8IsRefused() {
        assertThat(inspect(check, body(utf8("a\u0000b"), "text/plain")).refusedBy()).isEqualTo("types");
        assertThat(inspect(check, body(new byte[] {'a', (byte) 0xc3, 'b'}, "text/plain")).refusedBy())
                .isEqualTo("types");
        assertThat(inspect(check, body(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "text/plain"))
                .refusedBy()).as("a UTF-16 surrogate").isEqualTo("types");
    }

    @Test
    void aDeclaredPngThatIsNotOneIsRefused() {
        ContentVerdict verdict = inspect(check, body(utf8("id,name\n1," + SECRET), "image/png"));
        assertThat(verdict.refusedBy()).isEqualTo("types");
        assertThat(verdict.reason()).isEqualTo("the body is declared image/png but does not start like png"
                + " (content.types)");
        byte[] almost = Arrays.copyOf(PNG_START, PNG_START.length);
        almost[7] = 0;
        assertThat(inspect(check, body(almost, "image/png")).refusedBy()).isEqualTo("types");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"a=1&b=%zz", "a=1 2", "a=\"x\"", "a=%4"})
    void badFormEncodingIsRefused(String form) {
        assertThat(inspect(check, body(utf8(form), "application/x-www-form-urlencoded")).refusedBy())
                .as(form).isEqualTo("types");
    }

    @Test
    void withoutTypesAnythingGoesAndNothingIsParsed() {
        ContentTesting.MarkerScanner scanner = new ContentTesting.MarkerScanner();
        ContentCheck none = content().compile(scanner);
        assertThat(inspect(none, body(utf8("ROW1 not json"), "application/json")).passed()).isTrue();
        assertThat(scanner.pieces).as("no protectedData: nothing tokenised").isEmpty();
    }
}
