package org.sluice.policy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sluice.policy.content.ProtectedDataScanner.Syntax;
import org.sluice.policy.content.ProtectedFindings;

class FingerprintScannerTest {

    private static final byte[] SALT = "scanner salt 16b".getBytes(StandardCharsets.US_ASCII);
    private static final List<String> COLUMNS = List.of("patient_id", "birth_date", "sex", "postcode", "weight_kg");
    private static final List<List<String>> ROWS = new ArrayList<>();
    private static FingerprintIndex index;
    private static FingerprintScanner scanner;

    /**
     * 3,000 rows: a unique id, a birth date of 200 (about 15 rows each), a sex, a postcode of 100 and a weight of
     * 150 (one decimal): the dates, postcodes and weights are common alone (none rare) and the pair columns.
     */
    @BeforeAll
    static void build() {
        Random random = new Random(18);
        FingerprintIndexBuilder builder = FingerprintIndexBuilder.forColumns(COLUMNS, SALT);
        for (int i = 0; i < 3000; i++) {
            List<String> row = List.of("P-" + (100_000 + i),
                    LocalDate.of(1950, 1, 1).plusDays(random.nextInt(200) * 53L).toString(),
                    random.nextBoolean() ? "F" : "M",
                    String.valueOf(1000 + random.nextInt(100)),
                    (400 + random.nextInt(150)) / 10 + "." + random.nextInt(10));
            ROWS.add(row);
            builder.addRow(row);
        }
        index = builder.build();
        scanner = FingerprintScanner.of(index, 2);
    }

    private static ProtectedFindings scan(FingerprintScanner with, String body, Syntax syntax) {
        ProtectedFindings findings = new ProtectedFindings();
        byte[] bytes = ("xx" + body + "yy").getBytes(StandardCharsets.UTF_8);
        with.scan(bytes, 2, bytes.length - 4, syntax, findings);
        return findings;
    }

    private static ProtectedFindings scan(String body, Syntax syntax) {
        return scan(scanner, body, syntax);
    }

    private static List<String> row(int i) {
        return ROWS.get(i);
    }

    @Test
    void theIndexPairsDatesPostcodesAndWeights() {
        assertThat(index.pairColumns()).containsExactly("birth_date", "postcode", "weight_kg");
    }

    @Test
    void aJsonObjectHoldingARowIsOneRowAndItsIdARareValue() {
        List<String> r = row(7);
        String body = "{\"patient_id\":\"" + r.get(0) + "\",\"birth_date\":\"" + r.get(1) + "\",\"sex\":\"" + r.get(2)
                + "\",\"postcode\":" + r.get(3) + ",\"weight_kg\":" + r.get(4) + "}";

        ProtectedFindings findings = scan(body, Syntax.JSON);

        assertThat(findings.rows()).as("three pair cells of one row are one row, not three").isEqualTo(1);
        assertThat(findings.rareValues()).isEqualTo(1);
    }

    @Test
    void renamedKeysReorderedValuesAndOtherNumberSpellingsGiveTheSameRowKey() {
        List<String> r = row(11);
        ProtectedFindings findings = new ProtectedFindings();
        byte[] first = ("{\"born\":\"" + r.get(1) + "\",\"zip\":\"" + r.get(3) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] second = ("{\"a\":" + Double.parseDouble(r.get(3)) + "e0,\"b\":\"" + r.get(1) + "\",\"c\":true}")
                .getBytes(StandardCharsets.UTF_8);

        scanner.scan(first, 0, first.length, Syntax.JSON, findings);
        scanner.scan(second, 0, second.length, Syntax.JSON, findings);

        assertThat(findings.rows()).as("the same row found twice counts once").isEqualTo(1);
    }

    @Test
    void arraysOfArraysAreRowsWrittenAsLists() {
        StringBuilder body = new StringBuilder("{\"data\":[");
        for (int i = 0; i < 20; i++) {
            List<String> r = row(100 + i);
            body.append(i == 0 ? "" : ",").append("[\"").append(r.get(1)).append("\",")
                    .append(Integer.parseInt(r.get(3))).append(',').append(new java.math.BigDecimal(r.get(4))
                            .setScale(3).toPlainString()).append(']');
        }
        body.append("]}");

        ProtectedFindings findings = scan(body.toString(), Syntax.JSON);

        assertThat(findings.rows()).isEqualTo(20);
        assertThat(findings.rareValues()).isZero();
    }

    @Test
    void csvLinesAndQuotedCellsAreRows() {
        StringBuilder body = new StringBuilder("id,born,sex,postcode,weight\r\n");
        for (int i = 0; i < 10; i++) {
            List<String> r = row(200 + i);
            body.append(r.get(0)).append(",\"").append(r.get(1)).append("\",").append(r.get(2)).append(",")
                    .append(r.get(3)).append(",\"").append(r.get(4)).append("0\"\r\n");
        }

        ProtectedFindings findings = scan(body.toString(), Syntax.CSV);

        assertThat(findings.rows()).isEqualTo(10);
        assertThat(findings.rareValues()).isEqualTo(10);
    }

    @Test
    void tsvLinesAreRows() {
        StringBuilder body = new StringBuilder("born\tpostcode\n");
        for (int i = 0; i < 10; i++) {
            List<String> r = row(300 + i);
            body.append(r.get(1)).append('\t').append(r.get(3)).append('\n');
        }

        assertThat(scan(body.toString(), Syntax.TSV).rows()).isEqualTo(10);
    }

    @Test
    void textFindsRowsWithinItsWindowAndIdsAnywhere() {
        List<String> r = row(400);
        String body = "Dear team, patient " + r.get(0).toLowerCase() + " (born " + r.get(1) + ", weight "
                + r.get(4) + " kg) lives in postcode " + r.get(3) + ".";

        ProtectedFindings findings = scan(body, Syntax.TEXT);

        assertThat(findings.rows()).isEqualTo(1);
        assertThat(findings.rareValues()).isEqualTo(1);
    }

    @Test
    void cellsFurtherApartThanTheTextWindowAreNotARow() {
        List<String> r = row(401);
        String filler = " lorem".repeat(Scan.TEXT_WINDOW - 1);
        String within = r.get(1) + " lorem".repeat(Scan.TEXT_WINDOW - 2) + " " + r.get(3);

        assertThat(scan(r.get(1) + filler + " " + r.get(3), Syntax.TEXT).rows()).as("16 tokens apart").isZero();
        assertThat(scan(within, Syntax.TEXT).rows()).as("15 tokens apart").isEqualTo(1);
    }

    @Test
    void caseAndFullWidthUnicodeAreTheSameValues() {
        List<String> r = row(500);
        String fullWidth = toFullWidth(r.get(1)) + "\u3000" + toFullWidth(r.get(3));
        String lowerId = r.get(0).toLowerCase();

        ProtectedFindings text = scan(fullWidth + " " + toFullWidth(lowerId), Syntax.TEXT);
        ProtectedFindings json = scan("[\"" + toFullWidth(r.get(1)) + "\",\"" + toFullWidth(r.get(4)) + "\"]",
                Syntax.JSON);

        assertThat(text.rows()).isEqualTo(1);
        assertThat(text.rareValues()).isEqualTo(1);
        assertThat(json.rows()).isEqualTo(1);
    }

    private static String toFullWidth(String ascii) {
        StringBuilder out = new StringBuilder();
        for (char c : ascii.toCharArray()) {
            out.append(c > ' ' && c < 127 ? (char) (c - 0x21 + 0xff01) : c);
        }
        return out.toString();
    }

    @Test
    void oneCommonCellAloneIsNotARowAndARareIdAloneIsARareValue() {
        List<String> r = row(600);

        ProtectedFindings common = scan("{\"postcode\":\"" + r.get(3) + "\",\"sex\":\"" + r.get(2) + "\"}", Syntax.JSON);
        ProtectedFindings id = scan("{\"who\":\"" + r.get(0) + "\"}", Syntax.JSON);

        assertThat(common.rows()).isZero();
        assertThat(common.rareValues()).isZero();
        assertThat(id.rows()).isZero();
        assertThat(id.rareValues()).isEqualTo(1);
    }

    @Test
    void aRowSplitSoThatNoTwoPairCellsShareAnObjectIsNotARow() {
        List<String> r = row(700);
        String split = "[{\"born\":\"" + r.get(1) + "\"},{\"postcode\":" + r.get(3) + "},{\"w\":" + r.get(4) + "}]";
        String nested = "{\"born\":\"" + r.get(1) + "\",\"address\":{\"postcode\":" + r.get(3) + "}}";

        assertThat(scan(split, Syntax.JSON).rows()).isZero();
        assertThat(scan(nested, Syntax.JSON).rows()).as("a nested object is a group of its own").isZero();
    }

    @Test
    void twoCellsOfDifferentRowsAreNotARow() {
        List<String> a = row(800);
        List<String> b = ROWS.stream().filter(x -> !x.get(1).equals(a.get(1)) && !x.get(3).equals(a.get(3)))
                .filter(x -> ROWS.stream().noneMatch(y -> y.get(1).equals(a.get(1)) && y.get(3).equals(x.get(3))))
                .findFirst().orElseThrow();

        assertThat(scan("[\"" + a.get(1) + "\"," + b.get(3) + "]", Syntax.JSON).rows()).isZero();
    }

    @Test
    void keysAndSentencesInsideValuesAreScannedToo() {
        List<String> r = row(900);
        String inKey = "{\"" + r.get(1) + "\":\"" + r.get(3) + "\"}";
        String inSentence = "{\"message\":\"the patient " + r.get(0) + " was born on " + r.get(1) + " in "
                + r.get(3) + "\"}";
        String escaped = "{\"m\":\"born\\u0020" + r.get(1) + "\\nat " + r.get(3) + "\"}";

        assertThat(scan(inKey, Syntax.JSON).rows()).isEqualTo(1);
        ProtectedFindings sentence = scan(inSentence, Syntax.JSON);
        assertThat(sentence.rows()).isEqualTo(1);
        assertThat(sentence.rareValues()).isEqualTo(1);
        assertThat(scan(escaped, Syntax.JSON).rows()).isEqualTo(1);
    }

    @Test
    void invalidJsonDeclaredAsJsonIsScannedAsText() {
        List<String> r = row(950);
        String[] broken = {"{\"a\": " + r.get(1) + " " + r.get(3) + "}", "{\"a\":\"" + r.get(1) + "\",\"b\":"
                + r.get(3) + ",", "]" + r.get(1) + "," + r.get(3), "{\"a\":\"" + r.get(1) + "\\x\",\"b\":" + r.get(3)
                + "}", "[\"" + r.get(1) + " " + r.get(3)};

        for (String body : broken) {
            assertThat(scan(body, Syntax.JSON).rows()).as(body).isEqualTo(1);
        }
    }

    @Test
    void kThreeNeedsThreePairCellsOfTheRow() {
        FingerprintScanner three = FingerprintScanner.of(index, 3);
        List<String> r = row(1000);

        assertThat(scan(three, "[\"" + r.get(1) + "\"," + r.get(3) + "]", Syntax.JSON).rows()).isZero();
        assertThat(scan(three, "[\"" + r.get(1) + "\"," + r.get(3) + "," + r.get(4) + "]", Syntax.JSON).rows())
                .isEqualTo(1);
        assertThat(three.countsRows()).isTrue();
        assertThat(FingerprintScanner.of(index, 4).countsRows()).as("only 3 pair columns").isFalse();
        assertThatThrownBy(() -> FingerprintScanner.of(index, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aVersionOneIndexWithoutPairValuesFindsTheSameRows() throws Exception {
        FingerprintIndex v1 = FingerprintIndex.fromBytes(new FingerprintIndex(SALT, index.k(), index.rareRows(),
                index.rows(), index.distinctValues(), index.columns(), index.pairColumns(), index.rareTable(),
                index.pairTable(), null).toBytes());
        List<String> r = row(1100);
        String body = "[\"" + r.get(1) + "\",\"" + r.get(3) + "\",\"x\",\"y\"]";

        assertThat(scan(FingerprintScanner.of(v1, 2), body, Syntax.JSON).rows()).isEqualTo(1);
    }

    @Test
    void randomBodiesThatAreNotTheDataFindNothing() {
        Random random = new Random(99);
        StringBuilder json = new StringBuilder("[");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":\"Q-").append(random.nextInt(1_000_000))
                    .append("\",\"t\":\"").append(LocalDate.of(2000, 1, 1).plusDays(random.nextInt(9000)))
                    .append("\",\"v\":").append(random.nextGaussian()).append('}');
            text.append(random.nextInt(100_000)).append(i % 7 == 0 ? ". " : " ").append("word").append(i)
                    .append(' ');
        }
        json.append(']');

        for (Syntax syntax : Syntax.values()) {
            ProtectedFindings findings = scan(json.toString(), syntax);
            assertThat(findings.rows()).as(syntax.name()).isZero();
            assertThat(findings.rareValues()).as(syntax.name()).isZero();
        }
        assertThat(scan(text.toString(), Syntax.TEXT).rareValues()).isZero();
    }

    @Test
    void garbageInEverySyntaxDoesNotThrow() {
        Random random = new Random(5);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            for (Syntax syntax : Syntax.values()) {
                scanner.scan(bytes, 0, bytes.length, syntax, new ProtectedFindings());
            }
        }
        String deep = "[".repeat(10_000) + "1" + "]".repeat(10_000);
        scanner.scan(deep.getBytes(StandardCharsets.US_ASCII), 0, deep.length(), Syntax.JSON, new ProtectedFindings());
        assertThatThrownBy(() -> scanner.scan(new byte[4], 2, 3, Syntax.TEXT, new ProtectedFindings()))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
