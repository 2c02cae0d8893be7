package org.sluice.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sluice.policy.Decision;
import org.sluice.policy.Destination;
import org.sluice.policy.Listener;
import org.sluice.policy.Policy;
import org.sluice.policy.Verdict;
import org.sluice.policy.config.AlgorithmsConfig;
import org.sluice.policy.config.GatewayConfig;
import org.sluice.policy.config.Limits;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;

/**
 * Cost of one {@link Policy#decide} call, the only policy work on the request path, for policies of 10, 1,000 and
 * 10,000 rules. Requests cycle through a fixed mix: about half are allowed (by literal and by wildcard rules, early
 * and late in the file), the rest are denied for an unknown first segment, an unmatched sub-path or a method.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PolicyDecisionBenchmark {

    private static final int REQUESTS = 1024; // a power of two: the index wraps with a mask

    @Param({"10", "1000", "10000"})
    public int rules;

    private Policy policy;
    private Destination[] destinations;
    private String[] methods;
    private String[] paths;
    private int next;

    @Setup(Level.Trial)
    public void compilePolicy() {
        List<RuleConfig> configs = new ArrayList<>();
        for (int i = 0; i < rules; i++) {
            List<String> globs = i % 100 == 99
                    // a few rules whose first segment is a wildcard: every request has to consider them
                    ? List.of("/*/health" + i)
                    : List.of("/svc" + i + "/api/**", "/svc" + i + "/files/*.json");
            List<String> methods = i % 2 == 0 ? List.of("GET", "POST", "PUT") : List.of("GET");
            // A third of the rules name one host, a third a wildcard domain, a third any host.
            List<String> hosts = switch (i % 3) {
                case 0 -> List.of("svc" + i + ".example.org");
                case 1 -> List.of("*.svc" + i + ".example.net");
                default -> null;
            };
            configs.add(new RuleConfig("rule-" + i, methods, globs, hosts, null, null, null, List.of(), null, null,
                    null, Map.of()));
        }
        policy = Policy.compile(new SluiceConfig(Path.of("bench.yaml"), "0".repeat(64), 1,
                org.sluice.policy.Mode.ENFORCE, true, (GatewayConfig) null, null, Limits.DEFAULTS, null, configs,
                AlgorithmsConfig.ABSENT, List.of()));

        SplittableRandom random = new SplittableRandom(42);
        destinations = new Destination[REQUESTS];
        methods = new String[REQUESTS];
        paths = new String[REQUESTS];
        int allowed = 0;
        for (int r = 0; r < REQUESTS; r++) {
            int svc = random.nextInt(rules);
            switch (r % 6) {
                case 0 -> request(r, svc, "GET", "/svc" + svc + "/api/v1/tasks/" + r);
                case 1 -> request(r, svc, "GET", "/svc" + svc + "/files/result-" + r + ".json");
                case 2 -> request(r, svc, "GET", "/node" + svc + "/health" + wildcardRule(random));
                case 3 -> request(r, svc, "GET", "/unknown" + svc + "/api/x");
                case 4 -> request(r, svc, "GET", "/svc" + svc + "/admin/users");
                default -> request(r, svc, "DELETE", "/svc" + svc + "/api/v1/tasks/" + r);
            }
            allowed += policy.decide(destinations[r], methods[r], paths[r], null).verdict() == Verdict.ALLOW ? 1 : 0;
        }
        // Fail fast if the mix is not a mix: the numbers would be meaningless.
        if (allowed < REQUESTS / 4 || allowed > REQUESTS * 3 / 4) {
            throw new IllegalStateException("expected roughly half allowed, got " + allowed + "/" + REQUESTS);
        }
    }

    /** The host rule svc names (a name below its wildcard domain for the wildcard rules), as a forward request. */
    private static Destination destination(int svc) {
        String host = switch (svc % 3) {
            case 0 -> "svc" + svc + ".example.org";
            case 1 -> "eu.mirror.svc" + svc + ".example.net";
            default -> "central.example.org";
        };
        return new Destination(Listener.FORWARD, "https", host, 443);
    }

    /** Index of a wildcard rule (every 100th), or -1 (no such rule: denied) for policies under 100 rules. */
    private int wildcardRule(SplittableRandom random) {
        return rules < 100 ? -1 : 99 + 100 * random.nextInt(rules / 100);
    }

    private void request(int r, int svc, String method, String path) {
        destinations[r] = destination(svc);
        methods[r] = method;
        paths[r] = path;
    }

    @Benchmark
    public Decision decide() {
        int r = next++ & (REQUESTS - 1);
        return policy.decide(destinations[r], methods[r], paths[r], null);
    }
}
