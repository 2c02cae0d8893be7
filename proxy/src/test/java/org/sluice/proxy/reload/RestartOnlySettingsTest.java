package org.sluice.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;

class RestartOnlySettingsTest {

    private static final String BASE = """
            version: 1
            mode: enforce
            gateway:
              listen: 127.0.0.1:8080
              upstream: http://localhost:9000
              timeouts: {connect: 5s, response: 30s, idle: 60s, shutdownGrace: 10s, requestHeader: 10s, minBodyRate: 1KiB}
              maxConnections: 10000
              maxConnectionsPerClient: 256
            admin:
              listen: 127.0.0.1:9090
            limits:
              maxRequestBodyBytes: 1MiB
              maxResponseBodyBytes: 64MiB
              maxUrlBytes: 8KiB
              maxHeaderBytes: 16KiB
            audit:
              path: /var/log/sluice/audit.jsonl
            rules:
              - name: api
                methods: [GET]
                paths: ["/api/**"]
            """;

    private static SluiceConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, Path.of("/etc/sluice/sluice.yaml"));
    }

    @Test
    void theSameFileChangesNothing() throws ConfigException {
        assertThat(RestartOnlySettings.changed(parse(BASE), parse(BASE))).isEmpty();
    }

    @Test
    void modeBodyLimitsRulesAndAllowPrivateAreThePolicyAndNeedNoRestart() throws ConfigException {
        String next = BASE.replace("mode: enforce", "mode: report\nallowPrivate: [10.20.0.0/16]")
                .replace("maxRequestBodyBytes: 1MiB", "maxRequestBodyBytes: 2MiB")
                .replace("maxResponseBodyBytes: 64MiB", "maxResponseBodyBytes: 1MiB")
                .replace("paths: [\"/api/**\"]", "paths: [\"/api/v2/**\"]\n    limits: {maxRequestBodyBytes: 5}");

        assertThat(RestartOnlySettings.changed(parse(BASE), parse(next))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "listen: 127.0.0.1:8080           | listen: 0.0.0.0:8080             | gateway.listen",
        "upstream: http://localhost:9000  | upstream: https://localhost:9000 | gateway.upstream",
        "connect: 5s                      | connect: 6s                      | gateway.timeouts.connect",
        "response: 30s                    | response: 31s                    | gateway.timeouts.response",
        "idle: 60s                        | idle: 1m                         | ''",
        "idle: 60s                        | idle: 61s                        | gateway.timeouts.idle",
        "shutdownGrace: 10s               | shutdownGrace: 0ms               | gateway.timeouts.shutdownGrace",
        "requestHeader: 10s               | requestHeader: 9s                | gateway.timeouts.requestHeader",
        "minBodyRate: 1KiB                | minBodyRate: 1024               | ''",
        "minBodyRate: 1KiB                | minBodyRate: 1023               | gateway.timeouts.minBodyRate",
        "maxConnections: 10000            | maxConnections: 9999             | gateway.maxConnections",
        "maxConnectionsPerClient: 256     | maxConnectionsPerClient: 255     | gateway.maxConnectionsPerClient",
        "listen: 127.0.0.1:9090           | listen: 127.0.0.1:9091           | admin",
        "path: /var/log/sluice/audit.jsonl | path: /var/log/sluice/other.jsonl | audit.path",
        "path: /var/log/sluice/audit.jsonl | path: ../../var/log/sluice/audit.jsonl | ''",
        "maxUrlBytes: 8KiB                | maxUrlBytes: 8193                | limits.maxUrlBytes",
        "maxHeaderBytes: 16KiB            | maxHeaderBytes: 16385            | limits.maxHeaderBytes",
    })
    void eachRestartOnlyKeyIsNamedByValueNotBySpelling(String before, String after, String key)
            throws ConfigException {
        assertThat(BASE).contains(before);
        SluiceConfig next = parse(BASE.replace(before, after));

        if (key.isEmpty()) {
            assertThat(RestartOnlySettings.changed(parse(BASE), next)).as("the same value, spelt differently")
                    .isEmpty();
        } else {
            assertThat(RestartOnlySettings.changed(parse(BASE), next)).containsExactly(key);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "job: job-1                    | audit.job",
        "node: node-1                  | audit.node",
        "fsync: never                  | audit.fsync",
        "fsyncInterval: 2s             | audit.fsyncInterval",
        "onFailure: allow              | audit.onFailure",
        "stdout: true                  | audit.stdout",
        "query: hash                   | audit.query",
        "'rotate: {maxBytes: 1MiB}'    | audit.rotate",
    })
    void everyAuditKeyNeedsARestart(String added, String key) throws ConfigException {
        String path = "  path: /var/log/sluice/audit.jsonl\n";
        assertThat(BASE).contains(path);
        SluiceConfig next = parse(BASE.replace(path, path + "  " + added + "\n"));

        assertThat(RestartOnlySettings.changed(parse(BASE), next)).containsExactly(key);
    }

    @Test
    void upstreamTlsKeysNeedARestartAndAreComparedByValue() throws ConfigException {
        String pinned = BASE.replace("upstream: http://localhost:9000", """
                upstream:
                    url: https://localhost:9000
                    pinSha256: ["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="]""");
        String otherPin = pinned.replace("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        String samePinSpeltDifferently = pinned.replace("\"47DEQ", "\" 47DEQ");

        assertThat(RestartOnlySettings.changed(parse(pinned), parse(otherPin))).containsExactly("gateway.upstream");
        assertThat(RestartOnlySettings.changed(parse(pinned), parse(samePinSpeltDifferently))).isEmpty();

        String withHeader = pinned.replace("FU=\"]", "FU=\"]\n    headers: {X-Node: node-1}");
        assertThat(RestartOnlySettings.changed(parse(pinned), parse(withHeader))).containsExactly("gateway.upstream");
    }

    @Test
    void removingTheAdminListenerNeedsARestart() throws ConfigException {
        String next = BASE.replace("admin:\n  listen: 127.0.0.1:9090\n", "");

        assertThat(RestartOnlySettings.changed(parse(BASE), parse(next))).containsExactly("admin");
    }

    @Test
    void addingChangingOrRemovingTheForwardListenerNeedsARestart() throws ConfigException {
        String forward = BASE.replace("admin:\n", "forward:\n  listen: 127.0.0.1:3128\nadmin:\n");
        String otherTunnels = forward.replace("3128\n", "3128\n  maxTunnels: 10\n");

        assertThat(RestartOnlySettings.changed(parse(BASE), parse(forward))).containsExactly("forward");
        assertThat(RestartOnlySettings.changed(parse(forward), parse(otherTunnels))).containsExactly("forward");
        assertThat(RestartOnlySettings.changed(parse(forward), parse(BASE))).containsExactly("forward");
        assertThat(RestartOnlySettings.changed(parse(forward), parse(forward))).isEmpty();
    }

    @Test
    void aForwardOnlyConfigReloadsItsPolicyAndAddingOrRemovingTheGatewayNeedsARestart() throws ConfigException {
        int start = BASE.indexOf("gateway:\n");
        String forwardOnly = BASE.substring(0, start) + "forward:\n  listen: 127.0.0.1:3128\n"
                + BASE.substring(BASE.indexOf("admin:\n"));
        String withGateway = BASE.replace("admin:\n", "forward:\n  listen: 127.0.0.1:3128\nadmin:\n");
        String otherRules = forwardOnly.replace("[GET]", "[GET, POST]");

        assertThat(RestartOnlySettings.changed(parse(forwardOnly), parse(otherRules))).isEmpty();
        assertThat(RestartOnlySettings.changed(parse(forwardOnly), parse(withGateway))).containsExactly("gateway");
        assertThat(RestartOnlySettings.changed(parse(withGateway), parse(forwardOnly))).containsExactly("gateway");
    }

    @Test
    void severalKeysAreNamedInTheOrderOfTheLayout() throws ConfigException {
        String next = BASE.replace("maxUrlBytes: 8KiB", "maxUrlBytes: 4KiB").replace("8080", "8081")
                .replace("audit.jsonl", "audit2.jsonl");

        assertThat(RestartOnlySettings.changed(parse(BASE), parse(next)))
                .containsExactly("gateway.listen", "limits.maxUrlBytes", "audit.path");
    }
}
