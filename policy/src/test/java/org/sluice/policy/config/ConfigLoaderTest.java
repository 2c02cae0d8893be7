package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sluice.policy.Mode;

class ConfigLoaderTest {

    private static final Path FILE = Path.of("gw.yaml");

    private static List<String> problems(String yaml) {
        try {
            ConfigLoader.parse(yaml, FILE);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isEqualTo(String.join("\n",
                    e.problems().stream().map(Problem::toString).toList()));
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
    void minimalConfigGetsEveryDefault() {
        SluiceConfig config = valid("""
                version: 1
                gateway:
                  listen: 0.0.0.0:8080
                  upstream: http://central.example.org
                audit:
                  path: /var/log/sluice/audit.jsonl
                """);
        assertThat(config.source()).isEqualTo(FILE);
        assertThat(config.version()).isEqualTo(1);
        assertThat(config.mode()).isEqualTo(Mode.ENFORCE);
        assertThat(config.gateway().listen()).isEqualTo(new ListenAddress("0.0.0.0", 8080));
        assertThat(config.gateway().upstream())
                .isEqualTo(new UpstreamConfig("http", "central.example.org", 80, null, 64));
        assertThat(config.gateway().timeouts()).isEqualTo(new GatewayTimeouts(Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(10), 1024));
        assertThat(config.gateway().caps()).isEqualTo(new ConnectionCaps(10_000, 256));
        assertThat(config.admin()).isNull();
        assertThat(config.limits()).isEqualTo(Limits.DEFAULTS)
                .isEqualTo(new Limits(1_048_576, 67_108_864, 8192, 16384));
        assertThat(config.audit().path()).isEqualTo(Path.of("/var/log/sluice/audit.jsonl"));
        assertThat(config.rules()).isEmpty();
    }

    @Test
    void fullConfigIsReadWithEveryValue() {
        SluiceConfig config = valid("""
                version: 1
                mode: report
                gateway:
                  listen: 127.0.0.1:0
                  upstream:
                    url: https://central.example.org:8443/
                    maxConnectionsPerLoop: 10000
                  timeouts: {connect: 500ms, response: 2m, idle: 1h, shutdownGrace: 0s, requestHeader: 2s,
                             minBodyRate: 0}
                  maxConnections: 3
                  maxConnectionsPerClient: 1
                admin:
                  listen: "[::1]:9090"
                limits:
                  maxRequestBodyBytes: 10
                  maxResponseBodyBytes: 2GiB
                  maxUrlBytes: 1KiB
                  maxHeaderBytes: 2147483647
                audit:
                  path: /tmp/audit.jsonl
                rules:
                  - name: central-api
                    methods: [get, Post, GET, PATCH]
                    paths: ["/api/**", /files/*.json]
                    limits: { maxRequestBodyBytes: 10MiB }
                  - name: health
                    methods: [HEAD]
                    paths: [/health]
                """);
        assertThat(config.mode()).isEqualTo(Mode.REPORT);
        assertThat(config.gateway().listen()).isEqualTo(new ListenAddress("127.0.0.1", 0));
        assertThat(config.gateway().upstream())
                .isEqualTo(new UpstreamConfig("https", "central.example.org", 8443, null, 10000));
        assertThat(config.gateway().upstream().authority()).isEqualTo("central.example.org:8443");
        assertThat(config.gateway().timeouts()).isEqualTo(new GatewayTimeouts(Duration.ofMillis(500),
                Duration.ofMinutes(2), Duration.ofHours(1), Duration.ZERO, Duration.ofSeconds(2), 0));
        assertThat(config.gateway().caps()).isEqualTo(new ConnectionCaps(3, 1));
        assertThat(config.admin()).isEqualTo(new AdminConfig(new ListenAddress("::1", 9090)));
        assertThat(config.limits()).isEqualTo(new Limits(10, 2L << 30, 1024, Integer.MAX_VALUE));
        assertThat(config.rules()).extracting(RuleConfig::name, RuleConfig::methods, RuleConfig::paths,
                        RuleConfig::limits, RuleConfig::position)
                .containsExactly(
                        tuple("central-api", List.of("GET", "POST", "PATCH"), List.of("/api/**", "/files/*.json"),
                                new LimitOverrides(10L << 20, null), new Position(FILE, 22, 5)),
                        tuple("health", List.of("HEAD"), List.of("/health"), null, new Position(FILE, 26, 5)));
    }

    @Test
    void sha256IsOfTheTextsUtf8Bytes() {
        // Expected value from `printf 'version: 1\n...' | sha256sum`, computed outside the code under test.
        SluiceConfig config = valid("version: 1\ngateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}\n"
                + "audit: {path: a.jsonl}\n");
        assertThat(config.sha256()).isEqualTo("33466b7bb2402261c40b1d44eb9f4bf241522ace345d911229d62a93fa98e3eb");
    }

    @Test
    void bytesAlreadyReadAreValidatedAndHashedLikeTheFile() throws ConfigException {
        byte[] bytes = ("version: 1\ngateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}\n"
                + "audit: {path: a.jsonl}\n").getBytes(StandardCharsets.UTF_8);

        SluiceConfig config = ConfigLoader.load(bytes, Path.of("conf/gw.yaml"));

        assertThat(config.sha256()).isEqualTo("33466b7bb2402261c40b1d44eb9f4bf241522ace345d911229d62a93fa98e3eb")
                .isEqualTo(ConfigLoader.sha256(bytes));
        assertThat(config.source()).isEqualTo(Path.of("conf/gw.yaml"));
        assertThat(config.audit().path()).isEqualTo(Path.of("conf/a.jsonl").toAbsolutePath());
        assertThatThrownBy(() -> ConfigLoader.load(new byte[] {'v', (byte) 0xff}, Path.of("conf/gw.yaml")))
                .isInstanceOf(ConfigException.class).hasMessage("conf/gw.yaml:1:1: the file is not valid UTF-8; "
                        + "expected a UTF-8 YAML file");
    }

    @Test
    void unknownKeyListsTheAllowedKeys() {
        assertThat(problems("""
                version: 1
                gateway:
                  listn: 127.0.0.1:8080
                  upstream: http://localhost:9000
                audit: {path: audit.jsonl}
                """)).containsExactly(
                "gw.yaml:3:3: unknown key 'listn' under gateway; expected one of: listen, upstream, timeouts, "
                + "maxConnections, maxConnectionsPerClient",
                "gw.yaml:3:3: missing key 'listen' under gateway; expected host:port, e.g. 0.0.0.0:8080");
    }

    @Test
    void misspeltKeysAreUnknownWhereverTheyAre() {
        assertThat(problems("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                budgets:
                  daily: 1GiB
                rules:
                  - name: api
                    methods: [GET]
                    paths: [/api/**]
                    budget: 10
                """)).containsExactly(
                "gw.yaml:5:3: unknown key 'daily' under budgets; expected one of: window, perClient, perJob, perTask",
                "gw.yaml:10:5: unknown key 'budget' under rules[0]; expected one of: "
                        + "name, methods, extensionMethods, paths, hosts, ports, schemes, query, headers, mode, limits, content");
    }

    @Test
    void wrongTypesSayWhatWasExpectedAndWhatWasFound() {
        assertThat(problems("""
                version: 1
                gateway: 5
                audit: [a.jsonl]
                admin: {listen: {port: 1}}
                rules:
                  - name: api
                    methods: GET
                    paths: [{a: 1}]
                  - just-a-string
                """)).containsExactly(
                "gw.yaml:2:10: gateway: expected a mapping with keys listen, upstream, timeouts, maxConnections, "
                        + "maxConnectionsPerClient, got '5'",
                "gw.yaml:3:8: audit: expected a mapping with keys path, job, node, fsync, fsyncInterval, onFailure, "
                        + "stdout, query, rotate, checkpoint, signing, got a list",
                "gw.yaml:4:17: admin.listen: expected host:port, e.g. 0.0.0.0:8080, got a mapping",
                "gw.yaml:7:14: rules[0].methods: expected a list of strings, e.g. [GET, POST], got 'GET'",
                "gw.yaml:8:13: rules[0].paths[0]: expected a string, got a mapping",
                "gw.yaml:9:5: rules[1]: expected a mapping with keys name, methods, extensionMethods, paths, hosts, "
                        + "ports, schemes, query, headers, mode, limits, content, got 'just-a-string'");
    }

    @Test
    void rulesMustBeAList() {
        assertThat(problems("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                rules:
                """)).containsExactly("gw.yaml:4:7: rules: expected a list of rules, each a mapping with keys "
                + "name, methods, extensionMethods, paths, hosts, ports, schemes, query, headers, mode, limits, content (use [] for none), got an empty value");
    }

    @Test
    void badSizesAndSizesOutOfRange() {
        assertThat(problems("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                limits:
                  maxRequestBodyBytes: 1MB
                  maxResponseBodyBytes: -1
                  maxUrlBytes: 0
                  maxHeaderBytes: 2GiB
                """)).containsExactly(
                "gw.yaml:5:24: limits.maxRequestBodyBytes: bad size '1MB': expected bytes or a number with B, KiB, "
                        + "MiB or GiB, e.g. 64KiB",
                "gw.yaml:6:25: limits.maxResponseBodyBytes: bad size '-1': expected bytes or a number with B, KiB, "
                        + "MiB or GiB, e.g. 64KiB",
                "gw.yaml:7:16: limits.maxUrlBytes: expected a size from 1 to 2147483647 bytes, got '0'",
                "gw.yaml:8:19: limits.maxHeaderBytes: expected a size from 1 to 2147483647 bytes, got '2GiB'");
    }

    @Test
    void connectionCapsAndRequestHeaderDeadlineOutOfRange() {
        assertThat(problems("""
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream: http://localhost:9
                  maxConnections: 0
                  maxConnectionsPerClient: many
                  timeouts: {requestHeader: 0s, minBodyRate: 1KB}
                audit: {path: audit.jsonl}
                """)).containsExactly(
                "gw.yaml:5:19: gateway.maxConnections: expected a whole number from 1 to 10000000, got '0'",
                "gw.yaml:6:28: gateway.maxConnectionsPerClient: expected a whole number from 1 to 10000000, "
                        + "got 'many'",
                "gw.yaml:7:29: gateway.timeouts.requestHeader: expected a duration from 1ms to 2147483647ms, "
                        + "got '0s'",
                "gw.yaml:7:46: gateway.timeouts.minBodyRate: bad size '1KB': expected bytes or a number with B, "
                        + "KiB, MiB or GiB, e.g. 64KiB");
    }

    @Test
    void sizeOverflowIsAnErrorNotAWrap() {
        assertThat(problems("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                limits: {maxResponseBodyBytes: 8589934592GiB}
                """)).containsExactly("gw.yaml:4:32: limits.maxResponseBodyBytes: bad size '8589934592GiB': "
                + "larger than the largest size, 9223372036854775807 bytes");
    }

    @Test
    void badDurationsAndDurationsOutOfRange() {
        assertThat(problems("""
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream: http://localhost:9
                  timeouts:
                    connect: 5
                    response: 1.5s
                    idle: 0s
                    shutdownGrace: 2147483648ms
                audit: {path: audit.jsonl}
                """)).containsExactly(
                "gw.yaml:6:14: gateway.timeouts.connect: bad duration '5': a unit is required; expected a number "
                        + "with ms, s, m or h, e.g. 5s",
                "gw.yaml:7:15: gateway.timeouts.response: bad duration '1.5s': expected a number with ms, s, m or h, "
                        + "e.g. 5s",
                "gw.yaml:8:11: gateway.timeouts.idle: expected a duration from 1ms to 2147483647ms, got '0s'",
                "gw.yaml:9:20: gateway.timeouts.shutdownGrace: expected a duration from 0ms to 2147483647ms, "
                        + "got '2147483648ms'");
    }

    @Test
    void duplicateRuleNameIsReportedAtTheSecondNamingTheFirstsLine() {
        assertThat(problems("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                rules:
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                  - name: other
                    methods: [GET]
                    paths: ["/other"]
                  - name: api
                    methods: [POST]
                    paths: ["/api/**"]
                """)).containsExactly("gw.yaml:11:11: duplicate rule name 'api'; the first rule with this name is "
                + "at line 5; rule names must be unique");
    }

    @Test
    void duplicateKeyInAMappingIsReportedAtTheSecond() {
        assertThat(problems("""
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream: http://localhost:9
                  listen: 127.0.0.1:1
                audit: {path: audit.jsonl}
                version: 1
                """)).containsExactly(
                "gw.yaml:5:3: duplicate key 'listen' under gateway; it is already set at line 3 and each key may appear once",
                "gw.yaml:7:1: duplicate key 'version' at top level; it is already set at line 1 and each key may appear once");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "https://central.example.org/api | a path is not allowed (got '/api'); each request keeps its own path, "
                + "so give only http(s)://host[:port]",
        "https://central.example.org/?x=1 | a query is not allowed; give only http(s)://host[:port]",
        "https://user:secret@central.example.org | credentials (user@) are not allowed in the URL",
        "ftp://central.example.org | the scheme must be http or https, got 'ftp'",
    })
    void badUpstreamUrl(String url, String reason) {
        assertThat(problems("version: 1\n"
                + "gateway:\n"
                + "  listen: 127.0.0.1:0\n"
                + "  upstream: " + url + "\n"
                + "audit: {path: audit.jsonl}\n"))
                .containsExactly("gw.yaml:4:13: gateway.upstream: bad upstream URL '" + url + "': " + reason);
    }

    @Test
    void badUpstreamUrlInsideTheMappingForm() {
        assertThat(problems("""
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream:
                    url: http://localhost:9/x
                    maxConnectionsPerLoop: 0
                    pool: 3
                audit: {path: audit.jsonl}
                """)).containsExactly(
                "gw.yaml:5:10: gateway.upstream: bad upstream URL 'http://localhost:9/x': a path is not allowed "
                        + "(got '/x'); each request keeps its own path, so give only http(s)://host[:port]",
                "gw.yaml:6:28: gateway.upstream.maxConnectionsPerLoop: expected a whole number from 1 to 10000, "
                        + "got '0'",
                "gw.yaml:7:5: unknown key 'pool' under gateway.upstream; expected one of: url, caFile, "
                        + "maxConnectionsPerLoop, pinSha256, clientCert, clientKey, headers, clientAuthorization");
    }

    @Test
    void missingGatewayAndForwardPointAtTheMappingThatLacksThem() {
        assertThat(problems("""
                # a policy without a gateway

                version: 1
                audit: {path: audit.jsonl}
                """)).containsExactly("gw.yaml:3:1: the config has no listener: Sluice needs gateway (a mapping "
                + "with listen and upstream, the central server), forward (a mapping with listen, for HTTP_PROXY), "
                + "or both");
    }

    @Test
    void missingRuleKeysPointAtTheRule() {
        assertThat(problems("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                rules:
                  - methods: [GET]
                  - {name: x, paths: [/x], methods: []}
                """)).containsExactly(
                "gw.yaml:5:5: missing key 'name' under rules[0]; expected a unique rule name, e.g. name: central-api",
                "gw.yaml:5:5: missing key 'paths' under rules[0]; expected a list of path globs, e.g. [\"/api/**\"]");
    }

    @Test
    void versionOtherThanOneIsRefused() {
        assertThat(problems("""
                version: 2
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                """)).containsExactly("gw.yaml:1:10: version '2' is not supported; expected version: 1");
        assertThat(problems("""
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                """)).containsExactly("gw.yaml:1:1: missing key 'version' at top level; expected version: 1");
    }

    @Test
    void maxUrlBytesAndMaxHeaderBytesInARuleSayWhereTheyBelong() {
        assertThat(problems("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                rules:
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                    limits: {maxUrlBytes: 1KiB, maxHeaderBytes: 1KiB, maxRequestBodyBytes: 1x}
                """)).containsExactly(
                "gw.yaml:8:14: maxUrlBytes cannot be set in a rule: it applies before any rule is matched; set it "
                        + "under the top-level limits",
                "gw.yaml:8:33: maxHeaderBytes cannot be set in a rule: it applies before any rule is matched; set it "
                        + "under the top-level limits",
                "gw.yaml:8:76: rules[0].limits.maxRequestBodyBytes: bad size '1x': expected bytes or a number with "
                        + "B, KiB, MiB or GiB, e.g. 64KiB");
    }

    @Test
    void globsThatCouldNeverMatchAreRefused() {
        assertThat(problems("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                rules:
                  - name: api
                    methods: [GET]
                    paths: ["/a**b", "api/**", "/a//b", "/x/%7e", "/a%2Fb", "/a/**/../b", "/ok/**", "/q?x=1"]
                """)).containsExactly(
                "gw.yaml:7:13: rules[0].paths: bad path glob '/a**b': '**' must be a whole segment, e.g. /api/**; "
                        + "use '*' to match within a segment",
                "gw.yaml:7:22: rules[0].paths: bad path glob 'api/**': it must start with '/', e.g. /api/**",
                "gw.yaml:7:32: rules[0].paths: bad path glob '/a//b': requests are matched in normal form, so "
                        + "write '/a/b'",
                "gw.yaml:7:41: rules[0].paths: bad path glob '/x/%7e': requests are matched in normal form, so "
                        + "write '/x/~'",
                "gw.yaml:7:51: rules[0].paths: bad path glob '/a%2Fb': no request can match it because the path "
                        + "contains an encoded '/' (%2F), which servers read differently",
                "gw.yaml:7:61: rules[0].paths: bad path glob '/a/**/../b': requests are matched in normal form, so "
                        + "write '/a/b'",
                "gw.yaml:7:85: rules[0].paths: bad path glob '/q?x=1': globs match the path only, and '?' starts "
                        + "the query");
    }

    @Test
    void methodsMustBeTokens() {
        assertThat(problems("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                rules:
                  - name: api
                    methods: [GET, "*", "GE T", ""]
                    paths: ["/api/**"]
                """)).containsExactly(
                "gw.yaml:6:20: rules[0].methods: '*' is not a method; list the methods the rule allows, e.g. "
                        + "[GET, POST]",
                "gw.yaml:6:25: rules[0].methods: 'GE T' is not an HTTP method; expected a token such as GET or POST",
                "gw.yaml:6:33: rules[0].methods: '' is not an HTTP method; expected a token such as GET or POST");
    }

    @Test
    void badModeAndBadListen() {
        assertThat(problems("""
                version: 1
                mode: on
                gateway: {listen: "::1:8080", upstream: http://localhost:9}
                audit: {path: audit.jsonl}
                admin: {listen: 127.0.0.1:70000}
                """)).containsExactly(
                "gw.yaml:2:7: mode: expected enforce or report, got 'on'",
                "gw.yaml:3:19: gateway.listen: bad listen address '::1:8080': an IPv6 address must be in brackets, "
                        + "e.g. [::1]:9090",
                "gw.yaml:5:17: admin.listen: bad listen address '127.0.0.1:70000': the port must be a number from 0 "
                        + "to 65535");
    }

    @Test
    void malformedYamlReportsTheParsersPosition() {
        assertThat(problems("version: 1\ngateway:\n\tlisten: 127.0.0.1:0\n"))
                .singleElement().asString().startsWith("gw.yaml:3:1: malformed YAML: ");
        assertThat(problems("version: 1\nrules: [a, b\naudit: x\n"))
                .singleElement().asString().startsWith("gw.yaml:3:6: malformed YAML: ");
        assertThat(problems("version: 1\n---\nversion: 1\n"))
                .singleElement().asString().startsWith("gw.yaml:2:1: malformed YAML: ");
    }

    @Test
    void emptyOrNonMappingDocumentIsRefused() {
        String keys = String.join(", ", ConfigReader.TOP_KEYS);
        assertThat(problems("")).containsExactly("gw.yaml:1:1: the config is empty; expected a mapping with keys "
                + keys);
        assertThat(problems("# only a comment\n")).hasSize(1);
        assertThat(problems("- a\n- b\n")).containsExactly("gw.yaml:1:1: the config: expected a mapping with keys "
                + keys + ", got a list");
    }

    @Test
    void problemsAreSortedByPosition() {
        List<String> found = problems("""
                version: 1
                rules:
                  - name: a
                    methods: [GET]
                    paths: ["bad"]
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:9, extra: 1}
                audit: {path: audit.jsonl}
                mode: loud
                """);
        assertThat(found).extracting(s -> s.substring(0, s.indexOf(": ")))
                .containsExactly("gw.yaml:5:13", "gw.yaml:6:62", "gw.yaml:8:7");
    }

    @Test
    void loadResolvesRelativeFilesAgainstTheConfigFolder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path file = dir.resolve("gw.yaml");
        String yaml = """
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream: {url: "https://[::1]:8443", caFile: ca.pem}
                allowPrivate: ["::1/128"]
                audit: {path: logs/audit.jsonl}
                """;
        Files.writeString(file, yaml);
        SluiceConfig config = ConfigLoader.load(file);
        assertThat(config.source()).isEqualTo(file);
        assertThat(config.audit().path()).isEqualTo(dir.resolve("logs/audit.jsonl"));
        assertThat(config.gateway().upstream().caFile()).isEqualTo(dir.resolve("ca.pem"));
        assertThat(config.gateway().upstream().authority()).isEqualTo("[::1]:8443");
        assertThat(config.sha256()).isEqualTo(ConfigLoader.parse(yaml, file).sha256());
    }

    @Test
    void caFileMustExistAndNeedsHttps(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "x");
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, """
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream: {url: "http://localhost:9", caFile: ca.pem}
                admin:
                  listen: 127.0.0.1:0
                audit: {path: audit.jsonl}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":4:49: gateway.upstream.caFile: only an https upstream uses a CA file; "
                        + "remove caFile or use an https URL");
        Files.delete(dir.resolve("ca.pem"));
        Files.writeString(file, Files.readString(file).replace("http:", "https:"));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":4:50: gateway.upstream.caFile: no such file '" + dir.resolve("ca.pem")
                        + "'; expected a PEM file of trusted CAs (a relative name is read from the config file's "
                        + "folder)");
    }

    @Test
    void pinSha256IsAListOfBase64Sha256Hashes() {
        SluiceConfig config = valid("""
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream:
                    url: https://central.example.org
                    pinSha256: ["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", " AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= "]
                audit: {path: audit.jsonl}
                """);
        assertThat(config.gateway().upstream().pinSha256()).containsExactly(
                "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        assertThat(valid("""
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: https://central.example.org}
                audit: {path: audit.jsonl}
                """).gateway().upstream().pinSha256()).isEmpty();
    }

    @Test
    void badPinsArePositioned() {
        assertThat(problems("""
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream:
                    url: https://central.example.org
                    pinSha256: [not-base64!, "AAAA", 3]
                audit: {path: audit.jsonl}
                """)).containsExactly(
                "gw.yaml:6:17: gateway.upstream.pinSha256[0]: expected the base64 of a SHA-256 hash (44 characters "
                        + "ending in '='), got 'not-base64!'",
                "gw.yaml:6:30: gateway.upstream.pinSha256[1]: expected the base64 of a SHA-256 hash (44 characters "
                        + "ending in '='), got 'AAAA'",
                "gw.yaml:6:38: gateway.upstream.pinSha256[2]: expected the base64 of a SHA-256 hash (44 characters "
                        + "ending in '='), got '3'");
        assertThat(problems("""
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream: {url: "http://localhost:9", pinSha256: []}
                audit: {path: audit.jsonl}
                """)).containsExactly(
                "gw.yaml:4:52: gateway.upstream.pinSha256: expected at least one pin; remove the key to turn "
                        + "pinning off",
                "gw.yaml:4:52: gateway.upstream.pinSha256: only an https upstream has a certificate to pin; "
                        + "remove pinSha256 or use an https URL");
    }

    @Test
    void clientCertAndClientKeyGoTogetherNeedHttpsAndMustExist(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("client.pem"), "x");
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, """
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream: {url: "https://localhost:9", clientCert: client.pem}
                audit: {path: audit.jsonl}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":4:54: gateway.upstream: clientCert and clientKey go together; add clientKey "
                        + "(the PKCS#8 PEM private key of this certificate) or remove both");

        Files.writeString(file, Files.readString(file).replace("clientCert: client.pem", "clientKey: client.pem")
                .replace("https:", "http:"));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":4:52: gateway.upstream: clientCert and clientKey go together; add clientCert "
                        + "(the PEM certificate of this key) or remove both");

        Files.writeString(file, Files.readString(file).replace("clientKey: client.pem",
                "clientCert: client.pem, clientKey: missing.pem"));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(String.join("\n",
                        file + ":4:53: gateway.upstream.clientCert: only an https upstream can ask for a client "
                                + "certificate; remove clientCert and clientKey or use an https URL",
                        file + ":4:76: gateway.upstream.clientKey: no such file '" + dir.resolve("missing.pem")
                                + "'; expected a PKCS#8 PEM private key (a relative name is read from the config "
                                + "file's folder)"));
    }

    @Test
    void aClientCertThatIsNotAPemCertificateIsPositioned(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("client.pem"), "not a certificate");
        Files.writeString(dir.resolve("client-key.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n");
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, """
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream: {url: "https://localhost:9", clientCert: client.pem, clientKey: client-key.pem}
                audit: {path: audit.jsonl}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":4:54: gateway.upstream.clientCert: '" + dir.resolve("client.pem")
                        + "' is not a PEM certificate");
    }

    @Test
    void injectedHeadersAreLiteralsOrFilesAndStripTheAlgorithmsAuthorizationByDefault(@TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("token"), "t\n");
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, """
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream:
                    url: https://central.example.org
                    headers:
                      Authorization: {file: token, prefix: "Bearer "}
                      X-Node: node-1
                audit: {path: audit.jsonl}
                """);
        UpstreamConfig upstream = ConfigLoader.load(file).gateway().upstream();
        assertThat(upstream.headers()).containsExactly(
                new InjectedHeader("Authorization", null, dir.resolve("token"), "Bearer "),
                new InjectedHeader("X-Node", "node-1", null, ""));
        assertThat(upstream.stripClientAuthorization()).isTrue();
        assertThat(upstream.toString()).doesNotContain("node-1");

        Files.writeString(file, Files.readString(file).replace("      Authorization: {file: token, prefix: \"Bearer \"}\n",
                ""));
        assertThat(ConfigLoader.load(file).gateway().upstream().stripClientAuthorization()).isFalse();
        Files.writeString(file, Files.readString(file).replace("    headers:", "    clientAuthorization: strip\n    headers:"));
        assertThat(ConfigLoader.load(file).gateway().upstream().stripClientAuthorization()).isTrue();
    }

    @Test
    void injectedHeadersThatSluiceOwnsOrThatLackAFileArePositioned() {
        assertThat(problems("""
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream:
                    url: https://central.example.org
                    clientAuthorization: sometimes
                    headers:
                      Host: evil.example
                      Transfer-Encoding: chunked
                      Bad Name: x
                      X-Token: {file: missing-token}
                      x-node: a
                      X-Node: b
                audit: {path: audit.jsonl}
                """)).containsExactly(
                "gw.yaml:6:26: gateway.upstream.clientAuthorization: expected strip or forward, got 'sometimes'",
                "gw.yaml:8:7: gateway.upstream.headers: Sluice sets or removes Host itself (a hop-by-hop or framing "
                        + "header, Host, Via or X-Sluice-Request-Id); it cannot be injected",
                "gw.yaml:9:7: gateway.upstream.headers: Sluice sets or removes Transfer-Encoding itself (a hop-by-hop "
                        + "or framing header, Host, Via or X-Sluice-Request-Id); it cannot be injected",
                "gw.yaml:10:7: gateway.upstream.headers: 'Bad Name' is not a header name",
                "gw.yaml:11:23: gateway.upstream.headers.X-Token.file: no such file '"
                        + Path.of("missing-token").toAbsolutePath() + "'; expected a file holding the value (a relative name is read from the config file's folder)",
                "gw.yaml:13:7: gateway.upstream.headers: X-Node is set twice (names ignore case)");
    }

    @Test
    void loadRefusesInvalidUtf8AndReportsUnreadableFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gw.yaml");
        Files.write(file, "version: 1\nmode: \u00e9".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":1:1: the file is not valid UTF-8; expected a UTF-8 YAML file");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml")))
                .isInstanceOf(NoSuchFileException.class).isInstanceOf(IOException.class);
    }

    @Test
    void exceptionListsProblemsAndPositionsPrintAsFileLineColumn() {
        Position position = new Position(Path.of("a", "b.yaml"), 7, 5);
        assertThat(position).hasToString("a/b.yaml:7:5");
        assertThat(new Problem(position, "bad")).hasToString("a/b.yaml:7:5: bad");
        ConfigException e = new ConfigException(List.of(new Problem(position, "one"), new Problem(position, "two")));
        assertThat(e.getMessage()).isEqualTo("a/b.yaml:7:5: one\na/b.yaml:7:5: two");
        assertThat(e.problems()).hasSize(2);
    }
}
