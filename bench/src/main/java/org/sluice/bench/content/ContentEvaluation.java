package org.sluice.bench.content;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.sluice.policy.config.ContentConfig;
import org.sluice.policy.content.CompiledContentCheck;
import org.sluice.policy.content.ContentCheck;
import org.sluice.policy.content.ContentInput;
import org.sluice.policy.content.ContentVerdict;
import org.sluice.policy.content.CumulativeLimits;
import org.sluice.policy.fingerprint.FingerprintIndex;
import org.sluice.policy.fingerprint.FingerprintScanner;
import org.sluice.proxy.budget.ContentLedger;

/**
 * Runs the attack and legitimate suites through a rule's compiled content checks, as the proxy would: each
 * request is inspected, and a job's forwarded requests are summed against the per-job limits
 * ({@link CumulativeLimits}) as the proxy's ledger sums them. A refused request does not leave, so it is not
 * summed.
 */
final class ContentEvaluation {

    /** The check that refused a request because of the per-job sums rather than on its own. */
    static final String PER_JOB = "protectedData.perJob";
    /** Requests of a legitimate kind that one job sends. */
    static final int LEGITIMATE_JOB = 5;

    private final ProtectedDataSet data;
    private final long seed;

    ContentEvaluation(ProtectedDataSet data, long seed) {
        this.data = data;
        this.seed = seed;
    }

    /**
     * What one configuration did with one attack.
     *
     * @param jobs            jobs sent (a single-request attack: one request each)
     * @param jobsRefused     jobs with at least one request refused
     * @param requests        requests sent
     * @param requestsRefused requests refused
     * @param refusedBy       refused requests per check ({@link #PER_JOB} for the per-job sums)
     * @param firstRefusedSum the 1-based index of each refused job's first refused request, summed
     * @param rowsMatched     rows found, summed over every request
     * @param rareValues      rare values found, summed over every request
     */
    record AttackResult(Attack attack, String configuration, int jobs, int jobsRefused, int requests,
                        int requestsRefused, Map<String, Integer> refusedBy, long firstRefusedSum, long rowsMatched,
                        long rareValues) {

        /** The share of jobs in which a request was refused. */
        double detection() {
            return jobs == 0 ? 0 : jobsRefused / (double) jobs;
        }

        boolean sequence() {
            return requests > jobs;
        }

        /** On average, the request of a refused job that was refused first (1 = the first). */
        double meanFirstRefused() {
            return jobsRefused == 0 ? Double.NaN : firstRefusedSum / (double) jobsRefused;
        }
    }

    /**
     * What one configuration did with one legitimate kind; every refusal is a false positive.
     *
     * @param maxRows       the most rows found in any one request
     * @param maxRareValues the most rare values found in any one request
     */
    record LegitimateResult(LegitimateKind kind, String configuration, int requests, int refused,
                            Map<String, Integer> refusedBy, long rowsMatched, long rareValues, int maxRows,
                            int maxRareValues) {

        double falsePositiveRate() {
            return requests == 0 ? 0 : refused / (double) requests;
        }
    }

    /** Every attack through {@code check}, jobs drawn from a source seeded per attack name. */
    List<AttackResult> attacks(String configuration, ContentCheck check, List<Attack> attacks) {
        List<AttackResult> results = new ArrayList<>();
        for (Attack attack : attacks) {
            results.add(attack(configuration, check, attack));
        }
        return results;
    }

    AttackResult attack(String configuration, ContentCheck check, Attack attack) {
        return attack(configuration, check, attack, attackJobs(attack));
    }

    /** One attack's jobs, generated once, through {@code check}. */
    static AttackResult attack(String configuration, ContentCheck check, Attack attack, List<Exfiltration> jobs) {
        CumulativeLimits limits = check.cumulative();
        int jobsRefused = 0;
        int requests = 0;
        int requestsRefused = 0;
        long firstRefusedSum = 0;
        long rows = 0;
        long rare = 0;
        Map<String, Integer> refusedBy = new TreeMap<>();
        for (Exfiltration exfiltration : jobs) {
            JobLedger ledger = new JobLedger(limits);
            int first = 0;
            List<Exfiltration.Sent> sent = exfiltration.requests();
            for (int i = 0; i < sent.size(); i++) {
                ContentVerdict verdict = check.inspect(sent.get(i).input());
                requests++;
                rows += verdict.rowsMatched();
                rare += verdict.rareValues();
                String refused = verdict.passed() ? ledger.forward(verdict) : verdict.refusedBy();
                if (refused != null) {
                    requestsRefused++;
                    refusedBy.merge(refused, 1, Integer::sum);
                    if (first == 0) {
                        first = i + 1;
                    }
                }
            }
            if (first > 0) {
                jobsRefused++;
                firstRefusedSum += first;
            }
        }
        return new AttackResult(attack, configuration, jobs.size(), jobsRefused, requests, requestsRefused,
                refusedBy, firstRefusedSum, rows, rare);
    }

    /**
     * Every legitimate kind through {@code check}, its requests sent as jobs of {@link #LEGITIMATE_JOB} (a task's
     * few results and polls), so that what the per-job sums refuse counts as a false positive too.
     */
    List<LegitimateResult> legitimate(String configuration, ContentCheck check, List<LegitimateKind> kinds) {
        List<LegitimateResult> results = new ArrayList<>();
        for (LegitimateKind kind : kinds) {
            results.add(legitimate(configuration, check, kind, legitimateRequests(kind)));
        }
        return results;
    }

    /** One legitimate kind's requests, generated once, through {@code check}. */
    static LegitimateResult legitimate(String configuration, ContentCheck check, LegitimateKind kind,
            List<ContentInput> requests) {
        int refused = 0;
        long rows = 0;
        long rare = 0;
        int maxRows = 0;
        int maxRare = 0;
        Map<String, Integer> refusedBy = new TreeMap<>();
        JobLedger ledger = null;
        for (int i = 0; i < requests.size(); i++) {
            if (i % LEGITIMATE_JOB == 0) {
                ledger = new JobLedger(check.cumulative());
            }
            ContentVerdict verdict = check.inspect(requests.get(i));
            rows += verdict.rowsMatched();
            rare += verdict.rareValues();
            maxRows = Math.max(maxRows, verdict.rowsMatched());
            maxRare = Math.max(maxRare, verdict.rareValues());
            String refusal = verdict.passed() ? ledger.forward(verdict) : verdict.refusedBy();
            if (refusal != null) {
                refused++;
                refusedBy.merge(refusal, 1, Integer::sum);
            }
        }
        return new LegitimateResult(kind, configuration, requests.size(), refused, refusedBy, rows, rare,
                maxRows, maxRare);
    }

    /** The requests a legitimate kind sends, from a source seeded by its name. */
    List<ContentInput> legitimateRequests(LegitimateKind kind) {
        return generate(kind.name(), kind.requests(), random -> kind.generator().request(data, random));
    }

    /** The jobs an attack sends, from a source seeded by its name. */
    List<Exfiltration> attackJobs(Attack attack) {
        return generate(attack.name(), attack.jobs(), random -> attack.generator().job(data, random));
    }

    /** Seeded by name, so that a suite's requests do not change when another suite gains or loses one. */
    private <T> List<T> generate(String name, int count, Function<Random, T> one) {
        Random random = new Random(seed ^ name.hashCode());
        List<T> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            items.add(one.apply(random));
        }
        return items;
    }

    /**
     * One job's cumulative counts, kept by the proxy's own {@link ContentLedger} (a new one per job: a sidecar
     * serves one job), so the evaluation sums requests exactly as Sluice does.
     */
    static final class JobLedger {
        /** Only the per-job limits are set here; a window long enough that it never turns over in a run. */
        private static final Duration WINDOW = Duration.ofDays(1);

        private final CumulativeLimits limits;
        private final ContentLedger ledger = new ContentLedger();

        JobLedger(CumulativeLimits limits) {
            this.limits = limits;
        }

        /** Null when the request may leave (and is summed), else {@link #PER_JOB}. */
        String forward(ContentVerdict verdict) {
            return ledger.charge(limits, WINDOW, verdict.rowsMatched(), verdict.rareValues(), 0L) == null
                    ? null : PER_JOB;
        }
    }

    /**
     * The whole evaluation: generate {@code rows} rows, build their index as {@code sluice fingerprint build}
     * would, compile both configurations with {@code compiler}, run both suites through each, and time it.
     */
    static EvaluationReport run(int rows, long seed, Function<ContentConfig, ContentCheck> compiler) {
        Map<String, Long> millis = new java.util.LinkedHashMap<>();
        long start = System.nanoTime();
        ProtectedDataSet data = ProtectedDataSet.generate(rows, seed);
        long generated = System.nanoTime();
        millis.put("generate the data set", (generated - start) / 1_000_000);
        FingerprintIndex index = data.buildIndex();
        long indexBytes = index.toBytes().length;
        long indexed = System.nanoTime();
        millis.put("build the index", (indexed - generated) / 1_000_000);
        ContentEvaluation evaluation = new ContentEvaluation(data, seed);
        Map<Attack, List<Exfiltration>> attackJobs = new java.util.LinkedHashMap<>();
        for (Attack attack : new AttackSuite(seed).attacks()) {
            attackJobs.put(attack, evaluation.attackJobs(attack));
        }
        Map<LegitimateKind, List<ContentInput>> legitimateRequests = new java.util.LinkedHashMap<>();
        for (LegitimateKind kind : LegitimateSuite.kinds()) {
            legitimateRequests.put(kind, evaluation.legitimateRequests(kind));
        }
        long suites = System.nanoTime();
        millis.put("generate both suites", (suites - indexed) / 1_000_000);
        List<AttackResult> attackResults = new ArrayList<>();
        List<LegitimateResult> legitimateResults = new ArrayList<>();
        for (Map.Entry<String, ContentCheck> check : checks(index, compiler).entrySet()) {
            long before = System.nanoTime();
            attackJobs.forEach((attack, jobs) -> attackResults.add(attack(check.getKey(), check.getValue(), attack,
                    jobs)));
            legitimateRequests.forEach((kind, requests) -> legitimateResults.add(legitimate(check.getKey(),
                    check.getValue(), kind, requests)));
            millis.put("inspect both suites, " + check.getKey(), (System.nanoTime() - before) / 1_000_000);
        }
        millis.put("total", (System.nanoTime() - start) / 1_000_000);
        return new EvaluationReport(rows, seed, index, indexBytes, attackResults, legitimateResults, millis);
    }

    /** A rule's checks as the proxy compiles them: the engine with the fingerprint scanner over the index. */
    static ContentCheck compile(ContentConfig config) {
        return CompiledContentCheck.compile(config, data -> FingerprintScanner.of(data.index(), data.k()));
    }

    /**
     * {@code [--rows N] [--seed S] [--out FILE.md] [--csv FILE.csv]}: runs the evaluation and writes the report
     * (stdout without --out); --csv also writes the data set, for {@code sluice fingerprint build}.
     */
    public static void main(String[] args) throws java.io.IOException {
        int rows = ProtectedDataSet.REPORTED_ROWS;
        long seed = ProtectedDataSet.SEED;
        java.nio.file.Path out = null;
        java.nio.file.Path csv = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(required(args[i], value));
                case "--seed" -> seed = Long.parseLong(required(args[i], value));
                case "--out" -> out = java.nio.file.Path.of(required(args[i], value));
                case "--csv" -> csv = java.nio.file.Path.of(required(args[i], value));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --rows N, --seed S, --out FILE.md, --csv FILE.csv");
            }
            i++;
        }
        if (csv != null) {
            ProtectedDataSet.generate(rows, seed).writeCsv(csv);
        }
        String markdown = run(rows, seed, ContentEvaluation::compile).markdown();
        if (out == null) {
            System.out.print(markdown);
        } else {
            java.nio.file.Files.writeString(out, markdown);
            System.out.println("wrote " + out);
        }
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /** Compiles both configurations with {@code compiler} over {@code index}. */
    static Map<String, ContentCheck> checks(FingerprintIndex index, Function<ContentConfig, ContentCheck> compiler) {
        Map<String, ContentCheck> checks = new java.util.LinkedHashMap<>();
        for (String name : EvaluationConfigs.names()) {
            checks.put(name, compiler.apply(EvaluationConfigs.config(name, index)));
        }
        return checks;
    }
}
