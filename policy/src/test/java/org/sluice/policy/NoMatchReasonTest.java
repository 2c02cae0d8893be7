package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A request no rule allows is denied with the part that did not match: the part where the rule that got furthest
 * (checking host, port, scheme, method, path, query in that order) stopped. One row per part, with the edges of
 * each: the wildcard's own suffix, the rule that gets further winning over the first rule.
 */
class NoMatchReasonTest {

    private static final Policy POLICY = Policy.compile(RuleLanguageTest.config(
            "forward: {listen: 127.0.0.1:3128}\n", """
              - name: api
                methods: [GET, POST]
                paths: ["/api/**"]
                hosts: [api.example.org, "*.cdn.example.org"]
                ports: [443]
                schemes: [https]
                query: [page]
              - name: plain
                methods: [GET]
                paths: ["/simple/**"]
                hosts: [pypi.example.org]
                ports: [80]
                schemes: [http]
              - name: mirror
                methods: [CONNECT]
                hosts: [mirror.example.org]
                ports: [443]
            """));

    @ParameterizedTest(name = "{0} {1}://{2}:{3}{4}?{5} -> {6}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            GET    | https | other.example.org | 443  | /api/x      | -      | no rule allows this host
            GET    | https | cdn.example.org   | 443  | /api/x      | -      | no rule allows this host
            GET    | https | a.cdn.example.org | 8443 | /api/x      | -      | no rule for this host allows this port
            GET    | http  | api.example.org   | 443  | /api/x      | -      | no rule for this host and port allows this scheme
            DELETE | https | api.example.org   | 443  | /api/x      | -      | no rule for this host and port allows method DELETE
            POTS   | https | api.example.org   | 443  | /api/x      | -      | no rule allows this method: it is not a standard HTTP method, and no rule lists it under extensionMethods
            GET    | https | api.example.org   | 443  | /admin      | -      | no rule allows GET on this path
            GET    | https | api.example.org   | 443  | /api/x      | token=1 | no rule allows GET on this path with these query parameters
            POST   | http  | pypi.example.org  | 80   | /simple/x   | -      | no rule for this host and port allows method POST
            GET    | http  | pypi.example.org  | 80   | /api/x      | -      | no rule allows GET on this path
            """)
    void theReasonNamesThePartThatDidNotMatch(String method, String scheme, String host, int port, String path,
                                              String query, String reason) {
        Decision decision = POLICY.decide(new Destination(Listener.FORWARD, scheme, host, port), method, path, query);

        assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
        assertThat(decision.reason()).isEqualTo(reason);
    }

    @ParameterizedTest(name = "CONNECT {0}:{1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            api.example.org    | 443 | no CONNECT rule allows a tunnel to this host
            mirror.example.org | 22  | no CONNECT rule for this host allows this port
            """)
    void aTunnelsReasonNamesHostOrPort(String host, int port, String reason) {
        Decision decision = POLICY.decideTunnel(new Destination(Listener.FORWARD, "https", host, port));

        assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
        assertThat(decision.reason()).isEqualTo(reason);
    }

    @ParameterizedTest(name = "{0} {1}{2}?{3} is allowed")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            GET  | api.example.org   | /api/x | page=2
            POST | b.cdn.example.org | /api/y | -
            """)
    void whatTheRulesAllowStaysAllowed(String method, String host, String path, String query) {
        Decision decision = POLICY.decide(new Destination(Listener.FORWARD, "https", host, 443), method, path, query);

        assertThat(decision.verdict()).isEqualTo(Verdict.ALLOW);
    }
}
