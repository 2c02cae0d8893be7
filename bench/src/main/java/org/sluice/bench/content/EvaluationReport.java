package org.sluice.bench.content;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.sluice.bench.content.ContentEvaluation.AttackResult;
import org.sluice.bench.content.ContentEvaluation.LegitimateResult;
import org.sluice.policy.fingerprint.CellNormalizer;
import org.sluice.policy.fingerprint.FingerprintIndex;

/**
 * The evaluation's numbers as markdown: detection per attack and configuration, false positives per legitimate
 * kind, the index's size, the thresholds and the time the run took.
 *
 * @param rows       rows in the protected data set
 * @param index      the index the checks ran against
 * @param indexBytes the index's file size
 * @param attacks    results, configuration by configuration, attacks in suite order
 * @param legitimate results, configuration by configuration, kinds in suite order
 * @param millis     named timings (generate, index, each configuration, total)
 */
record EvaluationReport(int rows, long seed, FingerprintIndex index, long indexBytes, List<AttackResult> attacks,
                        List<LegitimateResult> legitimate, Map<String, Long> millis) {

    double bytesPerRow() {
        return indexBytes / (double) rows;
    }

    AttackResult attack(String configuration, String name) {
        return attacks.stream().filter(r -> r.configuration().equals(configuration) && r.attack().name().equals(name))
                .findFirst().orElseThrow(() -> new IllegalArgumentException(configuration + " " + name));
    }

    LegitimateResult legitimate(String configuration, String name) {
        return legitimate.stream().filter(r -> r.configuration().equals(configuration)
                && r.kind().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(configuration + " " + name));
    }

    int legitimateRequests(String configuration) {
        return legitimate.stream().filter(r -> r.configuration().equals(configuration))
                .mapToInt(LegitimateResult::requests).sum();
    }

    int falsePositives(String configuration) {
        return legitimate.stream().filter(r -> r.configuration().equals(configuration))
                .mapToInt(LegitimateResult::refused).sum();
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Content checks: detection and false positives\n\n");
        md.append("Made by `bench/content/evaluate.sh` (`org.sluice.bench.content.ContentEvaluation`); ")
                .append("`ContentEvaluationTest` asserts the same numbers on every `./mvnw verify`.\n\n");
        md.append("## Data set and index\n\n");
        md.append(String.format(Locale.ROOT, "- %,d generated patient rows (seed %d), %d columns: %s%n", rows, seed,
                PatientRow.COLUMNS.size(), String.join(", ", PatientRow.COLUMNS)));
        md.append(String.format(Locale.ROOT, "- index: %,d bytes, **%.2f bytes per row**; %,d rare values, %,d row "
                        + "pairs; pair columns %s; k = %d; rare = in at most %d rows%n", indexBytes, bytesPerRow(),
                index.rareValues(), index.rowPairs(), String.join(", ", index.pairColumns()), index.k(),
                index.rareRows()));
        md.append(String.format(Locale.ROOT, "- false-positive rate per lookup: %.2e (rare value), %.2e (pair)%n",
                index.rareFalsePositiveRate(), index.pairFalsePositiveRate()));
        md.append(String.format(Locale.ROOT, "- numbers that are rare values by coincidence (a count equal to a "
                        + "whole-euro invoice): %s of the integers 10-99, %s of 100-999, %s of 1,000-9,999%n",
                percent(rareShare(10, 99)), percent(rareShare(100, 999)), percent(rareShare(1_000, 9_999))));
        md.append("\n## Thresholds\n\n");
        md.append(String.format(Locale.ROOT, "- `%s`: `protectedData: {maxRows: %d, maxRareValues: %d, perJob: "
                        + "{maxRows: %d, maxRareValues: %d}}`, decode defaults (4 layers, ratio 100, 16 MiB), "
                        + "`opaque: report`%n", EvaluationConfigs.PROTECTED_DATA, EvaluationConfigs.MAX_ROWS,
                EvaluationConfigs.MAX_RARE_VALUES, EvaluationConfigs.JOB_ROWS, EvaluationConfigs.JOB_RARE_VALUES));
        md.append(String.format(Locale.ROOT, "- `%s`: the same, plus `types: %s`, `json: {maxDepth: %d, "
                        + "maxArrayLength: %d, maxStringLength: %d, maxNumbers: %d}`, `opaque: deny` (entropy "
                        + "from 7.5 bits per byte)%n", EvaluationConfigs.STRICT, EvaluationConfigs.STRICT_TYPES,
                EvaluationConfigs.STRICT_JSON.maxDepth(), EvaluationConfigs.STRICT_JSON.maxArrayLength(),
                EvaluationConfigs.STRICT_JSON.maxStringLength(), EvaluationConfigs.STRICT_JSON.maxNumbers()));
        md.append("\nA job's requests are summed as the proxy's ledger sums them: a request that would take the job "
                + "past a per-job limit is refused (`" + ContentEvaluation.PER_JOB + "`) and not counted.\n");

        md.append("\n## Attacks\n\n");
        md.append("Detection: the share of jobs in which Sluice refused a request (a single-request attack's job is "
                + "that request). For attacks over many requests, \"first refused\" is the mean position of the "
                + "first refused request in a job: what left before it, left.\n\n");
        List<String> configurations = EvaluationConfigs.names();
        md.append("| attack | what it sends | expected caught by | jobs (requests) |");
        for (String configuration : configurations) {
            md.append(" `").append(configuration).append("`: detected | by |");
        }
        md.append("\n|---|---|---|---:|");
        md.append("---:|---|".repeat(configurations.size()));
        md.append('\n');
        for (AttackResult first : attacks.stream()
                .filter(r -> r.configuration().equals(configurations.get(0))).toList()) {
            Attack attack = first.attack();
            md.append("| `").append(attack.name()).append("` | ").append(attack.how()).append(" | ")
                    .append(attack.caughtIn().isEmpty() ? "not expected"
                            : configurations.stream().filter(attack.caughtIn()::contains)
                            .collect(Collectors.joining(", ")))
                    .append(" | ").append(first.jobs());
            if (first.sequence()) {
                md.append(" (").append(first.requests()).append(')');
            }
            md.append(" |");
            for (String configuration : configurations) {
                AttackResult result = attack(configuration, attack.name());
                md.append(String.format(Locale.ROOT, " %d/%d = %s", result.jobsRefused(), result.jobs(),
                        percent(result.detection())));
                if (result.sequence() && result.jobsRefused() > 0) {
                    md.append(String.format(Locale.ROOT, ", first refused: #%.1f", result.meanFirstRefused()));
                }
                md.append(" | ").append(by(result.refusedBy())).append(" |");
            }
            md.append('\n');
        }

        md.append("\n## Legitimate requests\n\n");
        md.append("Every refusal here is a false positive. Each kind's requests are sent as jobs of "
                + ContentEvaluation.LEGITIMATE_JOB + ", so the per-job sums apply to them too. \"Found\" is what "
                + "the protectedData check counted in the requests (summed; the most in one request in brackets), "
                + "whether or not it refused.\n\n");
        md.append("| kind | what it sends | requests |");
        for (String configuration : configurations) {
            md.append(" `").append(configuration).append("`: refused | by |");
        }
        md.append(" rows found (max) | rare values found (max) |\n|---|---|---:|");
        md.append("---:|---|".repeat(configurations.size()));
        md.append("---:|---:|\n");
        for (LegitimateResult first : legitimate.stream()
                .filter(r -> r.configuration().equals(configurations.get(0))).toList()) {
            LegitimateKind kind = first.kind();
            md.append("| `").append(kind.name()).append("` | ").append(kind.what()).append(" | ")
                    .append(first.requests()).append(" |");
            for (String configuration : configurations) {
                LegitimateResult result = legitimate(configuration, kind.name());
                md.append(' ').append(result.refused()).append(" | ").append(by(result.refusedBy())).append(" |");
            }
            md.append(String.format(Locale.ROOT, " %d (%d) | %d (%d) |%n", first.rowsMatched(), first.maxRows(),
                    first.rareValues(), first.maxRareValues()));
        }
        md.append("| **all** | | ").append(legitimateRequests(configurations.get(0))).append(" |");
        for (String configuration : configurations) {
            md.append(String.format(Locale.ROOT, " **%d = %s** | |", falsePositives(configuration),
                    percent(falsePositives(configuration) / (double) legitimateRequests(configuration))));
        }
        md.append(" | |\n");

        md.append("\n## Time\n\n");
        for (Map.Entry<String, Long> timing : millis.entrySet()) {
            md.append(String.format(Locale.ROOT, "- %s: %,d ms%n", timing.getKey(), timing.getValue()));
        }
        md.append(String.format(Locale.ROOT, "- JVM: %s %s, %d processors%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
        return md.toString();
    }

    /** The share of the integers {@code from..to} that the index calls rare. */
    double rareShare(int from, int to) {
        int rare = 0;
        for (int n = from; n <= to; n++) {
            if (index.isRare(index.valueHash(CellNormalizer.normalize(Integer.toString(n))))) {
                rare++;
            }
        }
        return rare / (double) (to - from + 1);
    }

    private static String by(Map<String, Integer> refusedBy) {
        return refusedBy.isEmpty() ? "" : refusedBy.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
