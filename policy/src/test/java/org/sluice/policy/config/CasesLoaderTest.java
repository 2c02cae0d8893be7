package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sluice.policy.Destination;
import org.sluice.policy.Listener;
import org.sluice.policy.RequestHeader;

class CasesLoaderTest {

    private static final Path CASES = Path.of("cases.yaml");

    private static SluiceConfig config() throws ConfigException {
        return ConfigLoader.parse("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: https://central.example.org}
                audit: {path: audit.jsonl}
                rules:
                  - {name: central-api, methods: [GET], paths: ["/api/**"]}
                """, Path.of("policy.yaml"));
    }

    @Test
    void aCaseKeepsEverythingAsWrittenWithItsPosition() throws ConfigException {
        List<PolicyCase> cases = CasesLoader.parse("""
                cases:
                  - name: fetch
                    request: "  get   https://pypi.org/simple/?x=1 "
                    headers: {X-B: 1, x-a: "", Accept: true}
                    expect: allow
                    rule: central-api
                    forwarded: [Accept]
                    stripped: [X-B]
                """, CASES, config());

        assertThat(cases).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("fetch");
            assertThat(c.request()).isEqualTo("get   https://pypi.org/simple/?x=1");
            assertThat(c.method()).isEqualTo("get");
            assertThat(c.url().destination()).isEqualTo(new Destination(Listener.FORWARD, "https", "pypi.org", 443));
            assertThat(c.url().rawQuery()).isEqualTo("x=1");
            assertThat(c.headers()).containsExactly(new RequestHeader("X-B", "1"), new RequestHeader("x-a", ""),
                    new RequestHeader("Accept", "true"));
            assertThat(c.expect()).isEqualTo("allow");
            assertThat(c.rule()).isEqualTo("central-api");
            assertThat(c.forwarded()).containsExactly("Accept");
            assertThat(c.stripped()).containsExactly("X-B");
            assertThat(c.position()).isEqualTo(new Position(CASES, 2, 5));
        });
    }

    @Test
    void aConnectCaseIsATunnelToHostAndPort() throws ConfigException {
        List<PolicyCase> cases = CasesLoader.parse("""
                cases:
                  - {name: tunnel, request: CONNECT Mirror.Example.ORG.:443, expect: deny}
                  - {name: to the gateway, request: CONNECT /api, expect: bad_request}
                """, CASES, config());

        assertThat(cases.get(0).method()).isEqualTo("CONNECT");
        assertThat(cases.get(0).url().tunnel()).isTrue();
        assertThat(cases.get(0).url().destination())
                .isEqualTo(new Destination(Listener.FORWARD, "https", "mirror.example.org", 443));
        assertThat(cases.get(0).url().rawPath()).isEqualTo("/");
        assertThat(cases.get(0).url().rawQuery()).isNull();
        assertThat(cases.get(1).url().tunnel()).isFalse();
        assertThat(cases.get(1).url().destination().listener()).isEqualTo(Listener.GATEWAY);
    }

    @Test
    void aConnectCaseNeedsAPortAndHasNoHeadersToCheck() {
        assertThatThrownBy(() -> CasesLoader.parse("""
                cases:
                  - {name: a, request: CONNECT mirror.example.org, expect: deny}
                  - {name: b, request: CONNECT mirror.example.org:443, expect: allow, forwarded: [Accept]}
                """, CASES, config()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cases.yaml:2:24: cases[0].request: 'mirror.example.org' has no port; a CONNECT target "
                        + "is host:port, e.g. CONNECT mirror.example.org:443\n"
                        + "cases.yaml:3:82: cases[1]: a CONNECT tunnel forwards no headers of its own (what it carries "
                        + "is encrypted); remove forwarded and stripped");
    }

    @Test
    void optionalKeysDefaultToNothing() throws ConfigException {
        PolicyCase c = CasesLoader.parse("cases: [{name: a, request: GET /api, expect: deny}]", CASES, config())
                .get(0);

        assertThat(c.headers()).isEmpty();
        assertThat(c.rule()).isNull();
        assertThat(c.forwarded()).isEmpty();
        assertThat(c.stripped()).isEmpty();
        assertThat(c.url().destination().listener()).isEqualTo(Listener.GATEWAY);
    }

    @Test
    void headerChecksOnlyGoWithAForwardedRequest() {
        assertThatThrownBy(() -> CasesLoader.parse("""
                cases:
                  - {name: a, request: GET /x, expect: url_too_long, forwarded: [Accept], headers: {X: [1]}}
                  - {name: b, request: GET /x, headers: {X: 1, X: 2}, expect: deny}
                """, CASES, config()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(String.join("\n",
                        "cases.yaml:2:65: cases[0].forwarded: only a request that is let through has headers "
                                + "forwarded or stripped; remove forwarded, or expect allow or report",
                        "cases.yaml:2:88: cases[0].headers.X: expected a value (\"\" for an empty one), got a list",
                        "cases.yaml:3:48: cases[1].headers: duplicate header 'X'; it is already set at line 3"));
    }
}
