package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.sluice.policy.Decision;
import org.sluice.policy.Destination;
import org.sluice.policy.NormalizedPath;
import org.sluice.policy.PathNormalizer;
import org.sluice.policy.Policy;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/**
 * Whatever reaches the upstream is exactly what the policy checked: over random request targets built from
 * tricky segments (dot segments, escapes, encoded slashes), the upstream receives the normalised path the policy
 * allowed with the query as sent, and nothing at all for a request the policy denied or the normaliser refused.
 */
class ForwardedIsCheckedProperties {

    private static final String RULES = """
            rules:
              - name: tasks
                methods: [GET]
                paths: ["/api/tasks/**"]
                query: [limit]
              - name: files
                methods: [GET]
                paths: ["/api/files/*.json"]
            """;

    private static RecordingUpstream upstream;
    private static TestSluice sluice;
    private static Policy policy;
    private static Destination destination;

    @BeforeContainer
    static void start() throws Exception {
        upstream = RecordingUpstream.start();
        String yaml = TestSluice.gatewayYaml(upstream.url(), RULES);
        sluice = TestSluice.start(yaml);
        policy = Policy.compile(ConfigLoader.parse(yaml.replace("${audit}", "audit.jsonl"), Path.of("p.yaml")));
        destination = Destination.gateway("http", "127.0.0.1", upstream.port());
    }

    @AfterContainer
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Provide
    Arbitrary<String> targets() {
        Arbitrary<String> path = Arbitraries.of("api", "tasks", "files", "admin", "x.json", "..", ".", "%2e",
                        "%2E%2e", "%2F", "%5C", "%41pi", "a%2Fb", "", "%", "%zz", "%C3%A9", "t%61sks", "*", "~u")
                .list().ofMinSize(1).ofMaxSize(4).map(segments -> "/" + String.join("/", segments));
        // Start many targets inside the allowed trees, so that allowed, denied and refused all occur often.
        Arbitrary<String> prefix = Arbitraries.of("", "/api", "/api/tasks", "/api/files", "/api/tasks/..");
        Arbitrary<String> query = Arbitraries.of("", "?limit=1", "?x=1", "?limit=1&x=2", "?", "?limit=%2e%2e");
        return prefix.flatMap(pre -> path.flatMap(p -> query.map(q -> pre + p + q)));
    }

    @Property(tries = 400)
    void theUpstreamGetsExactlyTheCheckedRequestOrNothing(@ForAll("targets") String target) throws Exception {
        int before = upstream.received().size();
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                "GET " + target + " HTTP/1.1\r\nHost: sluice\r\nConnection: close\r\n\r\n");

        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        NormalizedPath normalized = PathNormalizer.normalize(rawPath);
        List<RecordingUpstream.Received> received = upstream.received();
        List<RecordingUpstream.Received> mine = received.subList(before, received.size());
        String outcome = !normalized.ok() ? "refused"
                : policy.decide(destination, "GET", normalized.path(), query).forwards() ? "forwarded" : "denied";
        Statistics.collect(outcome);
        Statistics.coverage(coverage -> {
            coverage.check("forwarded").percentage(p -> p >= 3);
            coverage.check("denied").percentage(p -> p >= 3);
            coverage.check("refused").percentage(p -> p >= 3);
        });
        if (!normalized.ok()) {
            assertThat(response.status()).as(target).isEqualTo(400);
            assertThat(mine).as(target).isEmpty();
            return;
        }
        Decision decision = policy.decide(destination, "GET", normalized.path(), query);
        if (!decision.forwards()) {
            assertThat(response.status()).as(target).isEqualTo(403);
            assertThat(mine).as(target).isEmpty();
            return;
        }
        assertThat(response.status()).as(target).isEqualTo(200);
        assertThat(mine).as(target).singleElement()
                .satisfies(r -> assertThat(r.uri()).isEqualTo(normalized.path() + (q < 0 ? "" : target.substring(q))));
    }
}
