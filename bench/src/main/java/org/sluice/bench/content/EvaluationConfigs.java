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
 * results: a false row pair in a long array of numbers (7 x 10^-5 per pair lookup), a few exact quantiles (a
 * minimum or maximum is a cell of the data). Short numbers are never looked up as rare values (the scanner skips
 * numbers of fewer than 6 significant digits: a count of 581 is not the invoice of 581.00 it equals), so a
 * histogram of counts carries none by coincidence.
 */
final class EvaluationConfigs {

    /** protectedData only; opaque bodies are reported, not refused. */
    static final String PROTECTED_DATA = "protectedData";
    /** protectedData plus {@code types: [application/json]}, {@code json:} limits and {@code opaque: deny}. */
    static final String STRICT = "strict";

    /** Distinct protected rows one request may carry: one false pair in a long array, not two. */
    static final int MAX_ROWS = 1;
    /** Distinct rare values one request may carry: a summary's exact minimum and maximum, not a batch of ids. */
    static final int MAX_RARE_VALUES = 3;
    /** Rows a job may carry over all its requests ({@code perJob.maxRows}). */
    static final long JOB_ROWS = 5;
    /**
     * Rare values a job may carry over all its requests ({@code perJob.maxRareValues}): above what a job of
     * {@link ContentEvaluation#LEGITIMATE_JOB} summaries carries (2 exact quantiles each). The price: one identifier
     * per request leaks 20 before the job is stopped.
     */
    static final long JOB_RARE_VALUES = 20;
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
