package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code methods} takes the standard methods only, so a misspelt one (POTS) is an error at FILE:LINE:COL rather
 * than a rule that silently never matches; a method the server really takes (WebDAV's PROPFIND) goes under
 * {@code extensionMethods}, which takes nothing standard.
 */
class ExtensionMethodsTest {

    @Test
    void aNonStandardMethodUnderMethodsIsAnErrorWithItsPosition() {
        assertThat(RuleLanguageTest.problems("""
                  - name: api
                    methods: [GET, POTS]
                    paths: ["/api/**"]
                """)).containsExactly("p.yaml:6:20: rules[0].methods: 'POTS' is not a standard HTTP method (GET, "
                + "HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT); if the server really takes it, list it "
                + "under extensionMethods");
    }

    @Test
    void aStandardMethodUnderExtensionMethodsIsAnError() {
        assertThat(RuleLanguageTest.problems("""
                  - name: dav
                    methods: [GET]
                    extensionMethods: [PROPFIND, post]
                    paths: ["/dav/**"]
                """)).containsExactly("p.yaml:7:34: rules[0].extensionMethods: POST is a standard method; list it "
                + "under methods");
    }

    @Test
    void anExtensionMethodListedExplicitlyIsAllowedAndOnlyByItsRule() {
        Policy policy = Policy.compile(RuleLanguageTest.config("", """
                  - name: dav
                    methods: [GET]
                    extensionMethods: [PROPFIND]
                    paths: ["/dav/**"]
                """));
        Destination central = new Destination(Listener.GATEWAY, "https", "central.example.org", 443);

        assertThat(policy.decide(central, "PROPFIND", "/dav/x", null).rule()).isEqualTo("dav");
        assertThat(policy.decide(central, "GET", "/dav/x", null).rule()).isEqualTo("dav");
        Decision pots = policy.decide(central, "POTS", "/dav/x", null);
        assertThat(pots.verdict()).isEqualTo(Verdict.DENY);
        assertThat(pots.reason()).isEqualTo("no rule allows this method: it is not a standard HTTP method, and no "
                + "rule lists it under extensionMethods");
    }

    @Test
    void connectWithExtensionMethodsIsNotATunnelRule() {
        assertThat(RuleLanguageTest.problems("""
                  - name: t
                    methods: [CONNECT]
                    extensionMethods: [PROPFIND]
                    hosts: [mirror.example.org]
                """)).anySatisfy(p -> assertThat(p).contains("put CONNECT in a rule of its own"));
    }
}
