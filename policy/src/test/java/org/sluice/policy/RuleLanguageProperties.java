package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.sluice.policy.config.AlgorithmsConfig;
import org.sluice.policy.config.GatewayConfig;
import org.sluice.policy.config.Limits;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;

/** The compiled policy against the plain reference matcher, over random rules and requests of the whole language. */
class RuleLanguageProperties {

    private static final List<String> HOST_PATTERNS = List.of("example.org", "a.example.org", "*.example.org",
            "*.a.example.org", "b.example.net", "*.example.net", "127.0.0.1", "::1");
    private static final List<String> REQUEST_HOSTS = List.of("example.org", "a.example.org", "x.a.example.org",
            "b.example.net", "c.b.example.net", "example.org.evil.net", "evilexample.org", "aexample.org",
            "example.net", "127.0.0.1", "::1", "0.0.1");

    @Provide
    Arbitrary<List<RuleConfig>> rules() {
        Arbitrary<List<String>> methods = Arbitraries.of("GET", "POST", "PUT").set().ofMaxSize(3).map(List::copyOf);
        Arbitrary<List<String>> globs = Arbitraries.of("a", "b", "ab", "", "*", "**", "a*", "*b")
                .list().ofMinSize(1).ofMaxSize(4).map(s -> "/" + String.join("/", s))
                .list().ofMaxSize(3);
        Arbitrary<List<String>> hosts = Arbitraries.of(HOST_PATTERNS).set().ofMaxSize(3).map(List::copyOf)
                .injectNull(0.4);
        Arbitrary<List<Integer>> ports = Arbitraries.of(80, 443, 8443).set().ofMaxSize(2).map(List::copyOf)
                .injectNull(0.5);
        Arbitrary<List<String>> schemes = Arbitraries.of("http", "https").set().ofMaxSize(2).map(List::copyOf)
                .injectNull(0.5);
        Arbitrary<List<String>> query = Arbitraries.of("a", "b").set().ofMaxSize(2).map(List::copyOf)
                .injectNull(0.5);
        Arbitrary<Mode> mode = Arbitraries.of(Mode.ENFORCE, Mode.REPORT).injectNull(0.5);
        Arbitrary<RuleConfig> plain = Combinators.combine(methods, globs, hosts, ports, schemes, query, mode)
                .as((m, g, h, p, s, q, md) -> new RuleConfig("?", m, g, h, p, s, q, List.of(), md, null, null,
                        Map.of()));
        // A CONNECT rule as the loader lets it through: no paths, query, headers or limits; schemes allow https.
        Arbitrary<List<String>> tunnelSchemes = Arbitraries.of(List.of("https"), List.of("http", "https"))
                .injectNull(0.6);
        Arbitrary<RuleConfig> tunnel = Combinators.combine(hosts, ports, tunnelSchemes, mode)
                .as((h, p, s, md) -> new RuleConfig("?", List.of("CONNECT"), List.of(), h, p, s, null, List.of(), md,
                        null, null, Map.of()));
        return Arbitraries.frequencyOf(Tuple.of(3, plain), Tuple.of(1, tunnel))
                .list().ofMaxSize(10)
                .map(RuleLanguageProperties::named);
    }

    private static List<RuleConfig> named(List<RuleConfig> rules) {
        List<RuleConfig> named = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            RuleConfig r = rules.get(i);
            named.add(new RuleConfig("r" + i, r.methods(), r.paths(), r.hosts(), r.ports(), r.schemes(), r.query(),
                    r.headers(), r.mode(), null, null, Map.of()));
        }
        return named;
    }

    record Request(Destination destination, String method, String path, String query) {}

    @Provide
    Arbitrary<List<Request>> requests() {
        Arbitrary<Destination> destination = Combinators.combine(
                        Arbitraries.of(Listener.values()), Arbitraries.of("http", "https"),
                        Arbitraries.of(REQUEST_HOSTS), Arbitraries.of(80, 443, 8443))
                .as(Destination::new);
        Arbitrary<String> path = Arbitraries.of("a", "b", "ab", "ba", "")
                .list().ofMinSize(1).ofMaxSize(5).map(s -> "/" + String.join("/", s));
        Arbitrary<String> query = Arbitraries.of("a=1", "a=1&b=2", "b", "c=3", "a&&b", "%61=1", "", "a=1&c")
                .injectNull(0.3);
        return Combinators.combine(destination, Arbitraries.of("GET", "POST", "PUT", "PATCH", "CONNECT"), path, query)
                .as(Request::new).list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<Destination>> tunnels() {
        return Combinators.combine(Arbitraries.of(REQUEST_HOSTS), Arbitraries.of(80, 443, 8443, 22))
                .as((host, port) -> new Destination(Listener.FORWARD, "https", host, port))
                .list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 2000)
    void compiledTunnelDecisionAgreesWithTheReferenceMatcher(@ForAll("rules") List<RuleConfig> rules,
                                                              @ForAll("tunnels") List<Destination> tunnels,
                                                              @ForAll boolean report, @ForAll boolean networkAccess) {
        SluiceConfig config = new SluiceConfig(Path.of("p.yaml"), "0".repeat(64), 1,
                report ? Mode.REPORT : Mode.ENFORCE, networkAccess, (GatewayConfig) null, null, Limits.DEFAULTS,
                null, rules, AlgorithmsConfig.ABSENT, List.of());
        Policy policy = Policy.compile(config);
        PolicyExplainer reference = new PolicyExplainer(config, policy);
        for (Destination d : tunnels) {
            RuleConfig expected = reference.firstTunnelMatch(d);
            Decision decision = policy.decideTunnel(d);
            assertThat(decision.rule()).as("%s", d).isEqualTo(expected == null ? null : expected.name());
            assertThat(expected == null || expected.tunnel()).as("only CONNECT rules match a tunnel").isTrue();
            Verdict verdict;
            if (expected != null) {
                verdict = expected.mode() == Mode.REPORT ? Verdict.REPORT : Verdict.ALLOW;
            } else if (!networkAccess) {
                verdict = Verdict.DENY;
            } else {
                verdict = report ? Verdict.REPORT : Verdict.DENY;
            }
            assertThat(decision.verdict()).as("%s", d).isEqualTo(verdict);
        }
    }

    @Property(tries = 3000)
    void compiledDecisionAgreesWithTheReferenceMatcher(@ForAll("rules") List<RuleConfig> rules,
                                                        @ForAll("requests") List<Request> requests,
                                                        @ForAll boolean report, @ForAll boolean networkAccess) {
        SluiceConfig config = new SluiceConfig(Path.of("p.yaml"), "0".repeat(64), 1,
                report ? Mode.REPORT : Mode.ENFORCE, networkAccess, (GatewayConfig) null, null, Limits.DEFAULTS,
                null, rules, AlgorithmsConfig.ABSENT, List.of());
        Policy policy = Policy.compile(config);
        PolicyExplainer reference = new PolicyExplainer(config, policy);
        for (Request r : requests) {
            RuleConfig expected = reference.firstMatch(r.destination(), r.method(), r.path(), r.query());
            Decision decision = policy.decide(r.destination(), r.method(), r.path(), r.query());
            assertThat(decision.rule()).as("%s", r).isEqualTo(expected == null ? null : expected.name());
            assertThat(expected == null || !expected.tunnel()).as("a CONNECT rule never matches a request").isTrue();
            Verdict verdict;
            if (expected != null) {
                verdict = expected.mode() == Mode.REPORT ? Verdict.REPORT : Verdict.ALLOW;
            } else if (r.destination().listener() == Listener.FORWARD && !networkAccess) {
                verdict = Verdict.DENY;
            } else {
                verdict = report ? Verdict.REPORT : Verdict.DENY;
            }
            assertThat(decision.verdict()).as("%s", r).isEqualTo(verdict);
        }
    }

    /** However a look-alike is built from the allowed name, a wildcard or exact entry for it never matches. */
    @Property(tries = 2000)
    void hostPatternsNeverMatchALookAlike(@ForAll @AlphaChars @StringLength(min = 1, max = 8) String label,
                                          @ForAll @AlphaChars @StringLength(min = 1, max = 8) String evil) {
        String allowed = HostNames.normalize(label + ".org");
        String evilName = HostNames.normalize(evil);
        List<String> lookAlikes = List.of(allowed + "." + evilName + ".net", evilName + allowed,
                allowed + evilName, evilName + "-" + allowed, allowed.replace(".", "-") + ".net");
        for (String lookAlike : lookAlikes) {
            assertThat(RuleCheck.hostMatches(allowed, lookAlike)).as(lookAlike).isFalse();
            assertThat(RuleCheck.hostMatches("*." + allowed, lookAlike)).as(lookAlike).isFalse();
        }
        assertThat(RuleCheck.hostMatches("*." + allowed, evilName + "." + allowed)).isTrue();
        assertThat(RuleCheck.hostMatches(allowed, allowed)).isTrue();
    }

    @Property(tries = 1000)
    void hostNormalisationIsIdempotent(@ForAll("hostLike") String host) {
        String once;
        try {
            once = HostNames.normalize(host);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(HostNames.normalize(once)).isEqualTo(once);
    }

    @Provide
    Arbitrary<String> hostLike() {
        return Arbitraries.of("a", "B", "bücher", "ÉCOLE", "xn--bcher-kva", "例え", "-", "1", "")
                .list().ofMinSize(1).ofMaxSize(4).map(labels -> String.join(".", labels))
                .flatMap(h -> Arbitraries.of(h, h + ".", h.toUpperCase()));
    }
}
