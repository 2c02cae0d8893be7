package org.sluice.policy.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sluice.policy.content.ContentTesting.SECRET;
import static org.sluice.policy.content.ContentTesting.base64;
import static org.sluice.policy.content.ContentTesting.base64urlNoPadding;
import static org.sluice.policy.content.ContentTesting.body;
import static org.sluice.policy.content.ContentTesting.content;
import static org.sluice.policy.content.ContentTesting.gzip;
import static org.sluice.policy.content.ContentTesting.hex;
import static org.sluice.policy.content.ContentTesting.inspect;
import static org.sluice.policy.content.ContentTesting.utf8;
import static org.sluice.policy.content.ContentTesting.zlib;
import static org.sluice.policy.content.ContentTesting.zstd;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sluice.policy.content.ContentTesting.MarkerScanner;
import org.sluice.policy.content.ProtectedDataScanner.Syntax;

/** Stage (e): what reaches the scanner, decoded, and how its findings decide. */
class ContentScanWiringTest {

    private static final String TABLE = "id,name,born\nROW1," + SECRET + ",1980-01-02\nROW2,b,1990-03-04\n";

    private final MarkerScanner scanner = new MarkerScanner();
    private final ContentCheck check = content().protectedData(0, 0).compile(scanner);

    @Test
    void base64OfGzipOfCsvIsFoundWithItsLayers() {
        String blob = base64(gzip(utf8(TABLE)));
        ContentVerdict verdict = inspect(check, json("{\"result\":\"" + blob + "\"}"));
        assertThat(verdict.refusedBy()).isEqualTo("protectedData");
        assertThat(verdict.rowsMatched()).isEqualTo(2);
        assertThat(verdict.layers()).containsExactly("base64>gzip");
        assertThat(verdict.reason()).isEqualTo("the request carries 2 rows of the protected data (at least 2 of a"
                + " row's cells together); rule allows 0 (content.protectedData.maxRows)");
        assertThat(scanner.syntaxes).contains(Syntax.CSV);
    }

    @Test
    void base64WithMimeLineBreaksAndEscapedSlashesIsOneSpan() {
        String mime = java.util.Base64.getMimeEncoder().encodeToString(gzip(utf8(TABLE.repeat(20))));
        String inJson = mime.replace("\r\n", "\\r\\n").replace("/", "\\/");
        assertThat(inspect(check, json("{\"r\":\"" + inJson + "\"}")).rowsMatched()).isEqualTo(2);
        assertThat(inspect(check, body(utf8(mime), "text/plain")).rowsMatched()).isEqualTo(2);
    }

    @Test
    void zlibAndZstdInsideBase64AreFound() {
        assertThat(inspect(check, json("{\"r\":\"" + base64(zlib(utf8(TABLE))) + "\"}")).layers())
                .containsExactly("base64>zlib");
        assertThat(inspect(check, json("{\"r\":\"" + base64(zstd(utf8(TABLE))) + "\"}")).layers())
                .containsExactly("base64>zstd");
    }

    @Test
    void hexIsFound() {
        ContentVerdict verdict = inspect(check, body(utf8("payload=" + hex(utf8(TABLE))), "text/plain"));
        assertThat(verdict.rowsMatched()).isEqualTo(2);
        assertThat(verdict.layers()).containsExactly("hex");
    }

    @Test
    void base64urlWithoutPaddingIsFound() {
        String token = base64urlNoPadding(utf8("x?>" + TABLE + "~~~"));
        assertThat(token).contains("-").doesNotEndWith("=");
        ContentVerdict verdict = inspect(check, body(utf8("token " + token + " end"), "text/plain"));
        assertThat(verdict.rowsMatched()).isEqualTo(2);
        assertThat(verdict.layers()).containsExactly("base64url");
    }

    @Test
    void aSpanOneCharacterTooLongIsStillDecoded() {
        // 33 bytes: 44 characters without padding; one more makes a length no base64 has (4n+1)
        String exact = base64(utf8("ROW9 and more text to make it lon"));
        assertThat(exact).hasSize(44).doesNotContain("=");
        assertThat(inspect(check, body(utf8(exact + "Q"), "text/plain")).rowsMatched()).isEqualTo(1);
        String padded = base64(utf8("ROW8 and more text to make it long")).replace("=", "") + "A";
        assertThat(inspect(check, body(utf8(padded), "text/plain")).rowsMatched()).isEqualTo(1);
    }

    @Test
    void percentEncodingIsTakenOff() {
        String encoded = URLEncoder.encode(TABLE, StandardCharsets.UTF_8).replace("ROW", "%52%4F%57");
        ContentVerdict verdict = inspect(check, body(utf8("{\"q\":\"" + encoded + "\"}"), "application/json"));
        assertThat(verdict.rowsMatched()).isEqualTo(2);
        assertThat(verdict.layers()).contains("percent");
    }

    @Test
    void percentThenBase64IsTwoLayers() {
        String blob = URLEncoder.encode(base64(utf8(TABLE + "???>>>")), StandardCharsets.UTF_8);
        assertThat(blob).contains("%2");
        ContentVerdict verdict = inspect(check, body(utf8("data=" + blob), "application/x-www-form-urlencoded"));
        assertThat(verdict.rowsMatched()).isEqualTo(2);
        assertThat(verdict.layers()).contains("base64");
    }

    @Test
    void theQueryStringIsScannedPartByPartAndWhole() {
        ContentInput input = new ContentInput(new byte[0], null, null,
                "a=%52OW3&b=" + base64urlNoPadding(utf8("the ROW4 row, long enough")) + "&RARE8=1", List.of());
        ContentVerdict verdict = inspect(check, input);
        assertThat(verdict.rowsMatched()).isEqualTo(2);
        assertThat(verdict.rareValues()).isEqualTo(1);
        assertThat(scanner.pieces).contains("ROW3");
    }

    @Test
    void headerValuesAreScannedWithTheirSpans() {
        ContentInput input = new ContentInput(new byte[0], null, null, null,
                List.of("Bearer " + base64(utf8("ROW6:with a secret " + SECRET)), "plain ROW7"));
        ContentVerdict verdict = inspect(check, input);
        assertThat(verdict.rowsMatched()).isEqualTo(2);
    }

    @Test
    void aRowFoundInManyPlacesCountsOnce() {
        ContentInput input = new ContentInput(utf8("ROW1 " + base64(utf8("ROW1 again, in base64 form"))),
                "text/plain", null, "x=ROW1", List.of("ROW1"));
        assertThat(inspect(check, input).rowsMatched()).isEqualTo(1);
    }

    @Test
    void rowsAndRareValuesHaveTheirOwnLimits() {
        ContentCheck lenient = content().protectedData(2, 1).compile(scanner);
        assertThat(inspect(lenient, body(utf8("ROW1 ROW2 RARE1"), "text/plain")).passed()).isTrue();
        ContentVerdict rows = inspect(lenient, body(utf8("ROW1 ROW2 ROW3"), "text/plain"));
        assertThat(rows.refusedBy()).isEqualTo("protectedData");
        assertThat(rows.reason()).contains("maxRows");
        ContentVerdict rare = inspect(lenient, body(utf8("RARE1 RARE2"), "text/plain"));
        assertThat(rare.refusedBy()).isEqualTo("protectedData");
        assertThat(rare.reason()).isEqualTo("the request carries 2 rare values of the protected data; rule allows 1"
                + " (content.protectedData.maxRareValues)");
    }

    @Test
    void theBodysSyntaxFollowsItsType() {
        inspect(check, body(utf8("a\tb\nROW1\tx\n"), "text/tab-separated-values"));
        inspect(check, body(utf8("{\"a\":1}"), "application/json"));
        inspect(check, body(utf8("{\"a\":"), "application/json"));
        inspect(check, body(utf8("just words"), "text/plain"));
        assertThat(scanner.syntaxes).startsWith(Syntax.TSV, Syntax.JSON, Syntax.JSON, Syntax.TEXT);
        scanner.syntaxes.clear();
        content().protectedData(0, 0).types("application/json").compile(scanner)
                .inspect(body(utf8("{\"a\":"), "application/json"));
        assertThat(scanner.syntaxes).isEmpty(); // types refused it first
        content().protectedData(0, 0).json(9, 9, 9, 9).compile(scanner)
                .inspect(body(utf8("{\"a\":"), "application/json"));
        assertThat(scanner.syntaxes).containsExactly(Syntax.TEXT);
    }

    @Test
    void hashesAndLongWordsAreNotLayers() {
        ContentVerdict verdict = inspect(check, json("{\"sha256\":\"" + "ab12".repeat(16)
                + "\",\"word\":\"internationalization\",\"id\":\"550e8400e29b41d4a716446655440000\"}"));
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.layers()).isEmpty();
    }

    @Test
    void theScannerIsCalledOncePerPieceAndNeverWithoutProtectedData() {
        MarkerScanner unused = new MarkerScanner();
        int[] made = {0};
        ContentCheck typesOnly = CompiledContentCheck.compile(content().types("text/*").config(), pd -> {
            made[0]++;
            return unused;
        });
        typesOnly.inspect(new ContentInput(utf8("ROW1 " + base64(utf8(TABLE))), "text/plain", null, "a=ROW2",
                List.of("ROW3")));
        assertThat(made[0]).isZero();
        assertThat(unused.pieces).isEmpty();
    }

    @Test
    void compileAsksForTheScannerOnce() {
        int[] made = {0};
        ContentCheck c = CompiledContentCheck.compile(content().protectedData(0, 0).config(), pd -> {
            made[0]++;
            assertThat(pd.indexFile()).isEqualTo("rows.sfp");
            return scanner;
        });
        c.inspect(body(utf8("x"), "text/plain"));
        c.inspect(body(utf8("y"), "text/plain"));
        assertThat(made[0]).isEqualTo(1);
        assertThat(c.cumulative()).isEqualTo(CumulativeLimits.NONE);
    }

    private static ContentInput json(String text) {
        return body(utf8(text), "application/json");
    }
}
