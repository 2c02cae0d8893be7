package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An IP-literal upstream that the address policy refuses can never be reached: the config is invalid. */
class UpstreamAddressConfigTest {

    private static final Path FILE = Path.of("gw.yaml");
    private static final String TAIL = "audit: {path: audit.jsonl}\n";

    private static List<String> problems(String yaml) {
        try {
            ConfigLoader.parse(yaml, FILE);
        } catch (ConfigException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    private static SluiceConfig valid(String yaml) {
        try {
            return ConfigLoader.parse(yaml, FILE);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    @Test
    void aLoopbackLiteralWithoutAllowPrivateIsAnErrorAtTheUrlNamingTheFix() {
        assertThat(problems("version: 1\ngateway:\n  listen: 127.0.0.1:0\n  upstream: http://127.0.0.1:8081\n"
                + TAIL)).containsExactly(
                "gw.yaml:4:13: gateway.upstream: 127.0.0.1 is a loopback address (127.0.0.0/8), which Sluice never "
                        + "connects to unless allowPrivate admits it, so every request would get 502 upstream_failed; "
                        + "set allowPrivate: [127.0.0.1/32] (or a block that holds it) to allow it");
    }

    @Test
    void theMappingFormIsReportedAtItsUrl() {
        assertThat(problems("""
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream:
                    maxConnectionsPerLoop: 4
                    url: https://[fd00::7]:8443
                """ + TAIL)).singleElement().asString()
                .startsWith("gw.yaml:6:10: gateway.upstream: fd00::7 is a unique-local address (fc00::/7)")
                .endsWith("set allowPrivate: [\"fd00::7/128\"] (or a block that holds it) to allow it");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://10.1.2.3           | 10.1.2.3 is a private (RFC 1918) address (10.0.0.0/8)",
        "http://169.254.169.254    | 169.254.169.254 is the cloud metadata service",
        "http://0.0.0.0:80         | 0.0.0.0 is an unspecified (this-network) address",
        "http://[::1]:9            | ::1 is the loopback address",
        "http://[::ffff:127.0.0.1] | 127.0.0.1 is a loopback address",
        "https://192.0.2.1         | 192.0.2.1 is a documentation address (TEST-NET-1)"})
    void everyRefusedRangeIsAnError(String url, String reason) {
        assertThat(problems("version: 1\ngateway: {listen: 127.0.0.1:0, upstream: \"" + url + "\"}\n" + TAIL))
                .singleElement().asString()
                .startsWith("gw.yaml:2:42: gateway.upstream: " + reason)
                .contains("set allowPrivate: [");
    }

    @Test
    void allowPrivateThatHoldsTheAddressMakesItValid() {
        SluiceConfig config = valid("version: 1\ngateway: {listen: 127.0.0.1:0, upstream: http://127.0.0.1:8081}\n"
                + TAIL + "allowPrivate: [127.0.0.0/8]\n");
        assertThat(config.gateway().upstream().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void allowPrivateThatMissesTheAddressIsStillAnError() {
        assertThat(problems("version: 1\ngateway: {listen: 127.0.0.1:0, upstream: http://10.9.0.1}\n" + TAIL
                + "allowPrivate: [10.20.0.0/16]\n")).singleElement().asString()
                .startsWith("gw.yaml:2:42: gateway.upstream: 10.9.0.1 is a private (RFC 1918) address")
                .contains("set allowPrivate: [10.9.0.1/32]");
    }

    @Test
    void aPublicLiteralAndAnyNameAreValid() {
        valid("version: 1\ngateway: {listen: 127.0.0.1:0, upstream: http://93.184.215.14}\n" + TAIL);
        // A name is resolved only at start: then it is a warning, not a config error.
        valid("version: 1\ngateway: {listen: 127.0.0.1:0, upstream: http://localhost:8081}\n" + TAIL);
    }
}
