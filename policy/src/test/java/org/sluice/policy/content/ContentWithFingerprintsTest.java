package org.sluice.policy.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sluice.policy.content.ContentTesting.base64;
import static org.sluice.policy.content.ContentTesting.gzip;
import static org.sluice.policy.content.ContentTesting.hex;
import static org.sluice.policy.content.ContentTesting.inspect;
import static org.sluice.policy.content.ContentTesting.utf8;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.ContentConfig;
import org.sluice.policy.fingerprint.FingerprintIndex;
import org.sluice.policy.fingerprint.FingerprintIndexBuilder;
import org.sluice.policy.fingerprint.FingerprintScanner;

/** The engine with the real scanner and index: encoded rows are found; an aggregate carries none. */
class ContentWithFingerprintsTest {

    private static final List<String> COLUMNS = List.of("patient_id", "birth_date", "postcode", "weight_kg");
    private static final List<List<String>> ROWS = new ArrayList<>();
    private static ContentCheck check;

    @BeforeAll
    static void build() {
        Random random = new Random(18);
        FingerprintIndexBuilder builder = FingerprintIndexBuilder.forColumns(COLUMNS);
        for (int i = 0; i < 2000; i++) {
            List<String> row = List.of("P-" + (500_000 + i), "19" + (40 + random.nextInt(60)) + "-0"
                    + (1 + random.nextInt(9)) + "-1" + random.nextInt(10), String.valueOf(1000 + random.nextInt(80)),
                    (400 + random.nextInt(500)) / 10 + "." + random.nextInt(10));
            ROWS.add(row);
            builder.addRow(row);
        }
        FingerprintIndex index = builder.build();
        ContentConfig config = ContentTesting.content().protectedData(0, 0).config();
        ContentConfig.ProtectedData data = new ContentConfig.ProtectedData("patients.sfp", index, 2, 0, 0,
                CumulativeLimits.NONE);
        config = new ContentConfig(null, null, null, null, data, config.decode(), ContentConfig.Opaque.DENY,
                ContentConfig.DEFAULT_OPAQUE_ENTROPY, null, config.position());
        check = CompiledContentCheck.compile(config, d -> FingerprintScanner.of(d.index(), d.k()));
    }

    private static String csv(int from, int to) {
        StringBuilder s = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (int i = from; i < to; i++) {
            s.append(String.join(",", ROWS.get(i))).append('\n');
        }
        return s.toString();
    }

    @Test
    void rowsInBase64OfGzipInsideJsonAreCounted() {
        String body = "{\"result\":\"" + base64(gzip(utf8(csv(0, 20)))) + "\"}";
        ContentVerdict verdict = inspect(check, ContentInput.body(utf8(body), "application/json"));
        assertThat(verdict.refusedBy()).isEqualTo("protectedData");
        assertThat(verdict.rowsMatched()).isGreaterThanOrEqualTo(18);
        assertThat(verdict.layers()).containsExactly("base64>gzip");
    }

    @Test
    void rowsInHexAndInTheQueryAreCounted() {
        ContentInput input = new ContentInput(utf8("blob " + hex(utf8(csv(20, 25)))), "text/plain", null,
                "q=" + URLEncoder.encode(String.join(" ", ROWS.get(30)), StandardCharsets.UTF_8), List.of());
        ContentVerdict verdict = inspect(check, input);
        assertThat(verdict.refusedBy()).isEqualTo("protectedData");
        assertThat(verdict.rowsMatched()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void anAggregatePasses() {
        // a one-decimal weight is in about 4 of the 2,000 rows: the index may take it for rare, so the mean has two
        String body = "{\"mean_weight\":62.37,\"count\":2000,\"histogram\":[120,340,610,540,300,90]}";
        ContentVerdict verdict = inspect(check, ContentInput.body(utf8(body), "application/json"));
        assertThat(verdict.passed()).as(verdict.reason()).isTrue();
        assertThat(verdict.rowsMatched()).isZero();
        assertThat(verdict.rareValues()).isZero();
        assertThat(verdict.entropy()).isBetween(0.0, 5.0);
    }
}
