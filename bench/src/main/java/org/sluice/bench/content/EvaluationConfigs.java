package org.sluice.bench.content;

import java.nio.file.Path;
import java.util.List;
import org.sluice.policy.config.ContentConfig;
import org.sluice.policy.config.ContentConfig.Decode;
import org.sluice.policy.config.ContentConfig.JsonLimits;
import org.sluice.policy.config.ContentConfig.Opaque;
import org.sluice.policy.config.ContentConfig.ProtectedData;
import org.sluice.policy.config.Position;
import org.sluice.policy.content.CumulativeLimits;
import org.sluice.policy.fingerprint.FingerprintIndex;

/**
 * The two rule configurations the evaluation runs, with the thresholds the report states. The thresholds are
 * chosen from what a request of aggregates can carry by chance, from the index alone, not tuned to the checks'
 * results: a few false row pairs in a long array of numbers (7 x 10^-5 per pair lookup), a few exact quantiles,
 * and short numbers that are rare values by coincidence (in this data set the index calls 45% of the integers
 * 100-999 rare: they are whole-euro invoices of one or two patients, so a histogram of 45 counts may hold 20).
 */
final class EvaluationConfigs {

    /** protectedData only; opaque bodies are reported, not refused. */
    static final String PROTECTED_DATA = "protectedData";
    /** protectedData plus {@code types: [application/json]}, {@code json:} limits and {@code opaque: deny}. */
    static final String STRICT = "strict";

    /** Distinct protected rows one request may carry. */
    static final int MAX_ROWS = 3;
    /** Distinct rare values one request may carry: above a histogram's coincidences, below 10 rows' identifiers. */
    static final int MAX_RARE_VALUES = 25;
    /** Rows a job may carry over all its requests ({@code perJob.maxRows}). */
    static final long JOB_ROWS = 10;
    /**
     * Rare values a job may carry over all its requests ({@code perJob.maxRareValues}). Above what a job of
     * {@link ContentEvaluation#LEGITIMATE_JOB} histograms carries by coincidence (up to 24 each here); at 50, the
     * first run refused 24 of the 100 histogram requests. The price: one identifier per request leaks 150 first.
     */
    static final long JOB_RARE_VALUES = 150;
    /** The strict configuration's JSON limits: a small model passes, a table of 100,000 numbers does not. */
    static final JsonLimits STRICT_JSON = new JsonLimits(16, 10_000, 65_536, 20_000);
    static final List<String> STRICT_TYPES = List.of("application/json");

    private static final Position POSITION = new Position(Path.of("content-eval.yaml"), 1, 1);

    private EvaluationConfigs() {
    }

    static List<String> names() {
        return List.of(PROTECTED_DATA, STRICT);
    }

    static CumulativeLimits cumulative() {
        return new CumulativeLimits(JOB_ROWS, JOB_RARE_VALUES, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    static ContentConfig config(String name, FingerprintIndex index) {
        ProtectedData protectedData = new ProtectedData("protected.sfp", index, index.k(), MAX_ROWS,
                MAX_RARE_VALUES, cumulative());
        return switch (name) {
            case PROTECTED_DATA -> new ContentConfig(null, null, null, null, protectedData, Decode.DEFAULTS,
                    Opaque.REPORT, ContentConfig.DEFAULT_OPAQUE_ENTROPY, null, POSITION);
            case STRICT -> new ContentConfig(STRICT_TYPES, null, null, STRICT_JSON, protectedData, Decode.DEFAULTS,
                    Opaque.DENY, ContentConfig.DEFAULT_OPAQUE_ENTROPY, null, POSITION);
            default -> throw new IllegalArgumentException("no configuration " + name);
        };
    }
}
