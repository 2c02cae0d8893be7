package org.sluice.policy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cost goal of issue 18 on a generated table like a hospital's: at most 16 index bytes per row. */
class FingerprintIndexSizeTest {

    private static final int ROWS = 100_000;
    private static final List<String> COLUMNS =
            List.of("patient_id", "birth_date", "sex", "postcode", "diagnosis", "weight_kg", "invoice", "note");
    private static final String[] WORDS = ("pain fever cough rash dizzy tired nausea swelling stable improved "
            + "worse follow-up referred admitted discharged mild severe chronic acute left right").split(" ");

    /** Seeded: an identifier, a date, two categories, a postcode, two numbers and a short free text per row. */
    static FingerprintIndex hospitalTable(byte[] salt) {
        Random random = new Random(18);
        FingerprintIndexBuilder builder = FingerprintIndexBuilder.forColumns(COLUMNS, salt);
        LocalDate first = LocalDate.of(1940, 1, 1);
        for (int i = 0; i < ROWS; i++) {
            builder.addRow(List.of(
                    "P" + (1_000_000 + i),
                    first.plusDays(random.nextInt(65 * 365)).toString(),
                    random.nextBoolean() ? "F" : "M",
                    String.valueOf(1000 + random.nextInt(9000)),
                    "ICD-" + (char) ('A' + random.nextInt(20)) + random.nextInt(10),
                    decimal(400 + random.nextInt(1100), 1),
                    decimal(random.nextInt(10_000_000), 2),
                    WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + ", "
                            + WORDS[random.nextInt(WORDS.length)] + " " + random.nextInt(30) + " days"));
        }
        return builder.build();
    }

    /** {@code units} divided by 10^places, written with that many decimals ("12.30"); String.format is slow here. */
    private static String decimal(int units, int places) {
        String digits = String.valueOf(units);
        String padded = "0".repeat(Math.max(0, places + 1 - digits.length())) + digits;
        return padded.substring(0, padded.length() - places) + "." + padded.substring(padded.length() - places);
    }

    private static FingerprintIndex index;

    @BeforeAll
    static void buildOnce() {
        index = hospitalTable("a salt, 16 bytes".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aHundredThousandRowsOfEightColumnsTakeAtMostSixteenBytesARow() {

        double bytesPerRow = index.toBytes().length / (double) ROWS;

        assertThat(index.pairColumns()).as("ids, invoices and notes are mostly rare; sex has 2 values")
                .containsExactly("birth_date", "postcode", "weight_kg");
        assertThat(index.rowPairs()).isBetween(ROWS * 3 * 99 / 100, ROWS * 3);
        assertThat(index.rareValues()).as("every id and nearly every invoice and note").isGreaterThan(ROWS * 2);
        assertThat(bytesPerRow).as("bytes per row (%d rare, %d pairs)", index.rareValues(), index.rowPairs())
                .isLessThanOrEqualTo(16.0);
    }

    @Test
    void randomProbesHitAsOftenAsTheTableShareOfTwoToTheThirtyTwo() {
        Random probes = new Random(4);
        int count = 2_000_000;
        int rareHits = 0;
        int pairHits = 0;
        for (int i = 0; i < count; i++) {
            long value = index.valueHash("absent " + probes.nextLong());
            if (index.isRare(value)) {
                rareHits++;
            }
            if (index.isRowPair(value, probes.nextLong())) {
                pairHits++;
            }
        }

        double expectedRare = index.rareFalsePositiveRate() * count;
        double expectedPair = index.pairFalsePositiveRate() * count;
        // about 140 expected hits each: 5 standard deviations either side
        assertThat((double) rareHits).as("rare hits, expected %.1f", expectedRare)
                .isBetween(expectedRare - 5 * Math.sqrt(expectedRare), expectedRare + 5 * Math.sqrt(expectedRare));
        assertThat((double) pairHits).as("pair hits, expected %.1f", expectedPair)
                .isBetween(expectedPair - 5 * Math.sqrt(expectedPair), expectedPair + 5 * Math.sqrt(expectedPair));
    }
}
