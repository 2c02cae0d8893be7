package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ForwardConfigTest {

    private static final Path FILE = Path.of("fw.yaml");
    private static final String HEAD = """
            version: 1
            gateway: {listen: 0.0.0.0:8080, upstream: http://central.test:9}
            admin: {listen: 127.0.0.1:9090}
            audit: {path: audit.jsonl}
            """;

    private static List<String> problems(String yaml) {
        try {
            ConfigLoader.parse(HEAD + yaml, FILE);
        } catch (ConfigException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    private static SluiceConfig valid(String yaml) {
        try {
            return ConfigLoader.parse(HEAD + yaml, FILE);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static InetSocketAddress server(int a, int b, int c, int d, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}),
                port);
    }

    @Test
    void absentMeansNoForwardListener() {
        assertThat(valid("").forward()).isNull();
    }

    @Test
    void onlyListenGetsEveryDefault() {
        ForwardConfig forward = valid("forward: {listen: 127.0.0.1:3128}\n").forward();

        assertThat(forward).isEqualTo(new ForwardConfig(new ListenAddress("127.0.0.1", 3128),
                new ForwardTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60),
                        Duration.ofSeconds(10), 1024, Duration.ofSeconds(10), Duration.ofMinutes(5)),
                new ConnectionCaps(10_000, 256), 1024,
                new DnsConfig(List.of(), Duration.ZERO, Duration.ofSeconds(60), Duration.ofSeconds(5))));
        assertThat(forward.timeouts()).isEqualTo(ForwardTimeouts.DEFAULTS);
        assertThat(forward.dns()).isEqualTo(DnsConfig.DEFAULTS);
    }

    @Test
    void everyKeyIsRead() throws UnknownHostException {
        ForwardConfig forward = valid("""
                forward:
                  listen: "[::1]:3128"
                  maxConnections: 100
                  maxConnectionsPerClient: 7
                  maxTunnels: 10000000
                  timeouts: {connect: 1s, response: 2s, idle: 3s, requestHeader: 4s, minBodyRate: 0, clientHello: 500ms,
                             tunnelIdle: 1h}
                  dns:
                    servers: ["10.96.0.10", "127.0.0.1:5353", "[::1]:53", "fd00::53", "[fd00::1]"]
                    minTtl: 1s
                    maxTtl: 1d
                    queryTimeout: 250ms
                """.replace("1d", "24h")).forward();

        assertThat(forward.listen()).isEqualTo(new ListenAddress("::1", 3128));
        assertThat(forward.caps()).isEqualTo(new ConnectionCaps(100, 7));
        assertThat(forward.maxTunnels()).isEqualTo(10_000_000);
        assertThat(forward.timeouts()).isEqualTo(new ForwardTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(3), Duration.ofSeconds(4), 0, Duration.ofMillis(500), Duration.ofHours(1)));
        byte[] fd53 = new byte[16];
        fd53[0] = (byte) 0xfd;
        fd53[15] = 0x53;
        byte[] fd1 = new byte[16];
        fd1[0] = (byte) 0xfd;
        fd1[15] = 1;
        assertThat(forward.dns().servers()).containsExactly(server(10, 96, 0, 10, 53), server(127, 0, 0, 1, 5353),
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 1}), 53),
                new InetSocketAddress(InetAddress.getByAddress(fd53), 53),
                new InetSocketAddress(InetAddress.getByAddress(fd1), 53));
        assertThat(forward.dns().servers()).allMatch(s -> !s.isUnresolved());
        assertThat(forward.dns()).extracting(DnsConfig::minTtl, DnsConfig::maxTtl, DnsConfig::queryTimeout)
                .containsExactly(Duration.ofSeconds(1), Duration.ofDays(1), Duration.ofMillis(250));
    }

    @Test
    void unknownKeysListTheExpectedOnes() {
        assertThat(problems("""
                forward:
                  listen: 127.0.0.1:3128
                  upstream: http://x
                  timeouts: {shutdownGrace: 1s}
                  dns: {server: [10.0.0.1]}
                """)).containsExactly(
                "fw.yaml:7:3: unknown key 'upstream' under forward; expected one of: listen, maxConnections, "
                        + "maxConnectionsPerClient, maxTunnels, timeouts, dns",
                "fw.yaml:8:14: unknown key 'shutdownGrace' under forward.timeouts; expected one of: connect, "
                        + "response, idle, requestHeader, minBodyRate, clientHello, tunnelIdle",
                "fw.yaml:9:9: unknown key 'server' under forward.dns; expected one of: servers, minTtl, maxTtl, "
                        + "queryTimeout, hostsFile");
    }

    @Test
    void listenIsRequired() {
        assertThat(problems("forward: {maxTunnels: 5}\n")).containsExactly(
                "fw.yaml:5:10: missing key 'listen' under forward; expected host:port, e.g. 127.0.0.1:3128");
        assertThat(problems("forward: 127.0.0.1:3128\n")).containsExactly(
                "fw.yaml:5:10: forward: expected a mapping with keys listen, maxConnections, maxConnectionsPerClient, "
                        + "maxTunnels, timeouts, dns, got '127.0.0.1:3128'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.0.0.0:8080   | 0.0.0.0:8080 is also gateway.listen (0.0.0.0:8080)",
        "127.0.0.1:8080 | 127.0.0.1:8080 is also gateway.listen (0.0.0.0:8080)",
        "127.0.0.1:9090 | 127.0.0.1:9090 is also admin.listen (127.0.0.1:9090)",
        "0.0.0.0:9090   | 0.0.0.0:9090 is also admin.listen (127.0.0.1:9090)",
    })
    void listenMayNotBeAnotherListenersAddress(String listen, String message) {
        assertThat(problems("forward: {listen: " + listen + "}\n")).containsExactly(
                "fw.yaml:5:19: forward.listen: " + message + "; each listener needs a port of its own, e.g. "
                        + "127.0.0.1:3128");
    }

    @Test
    void portZeroNeverClashesAndOtherPortsOrHostsAreFine() {
        String yaml = """
                version: 1
                gateway: {listen: 127.0.0.1:0, upstream: http://central.test:9}
                admin: {listen: 127.0.0.1:9090}
                audit: {path: audit.jsonl}
                forward: {listen: 127.0.0.1:0}
                """;
        try {
            assertThat(ConfigLoader.parse(yaml, FILE).forward().listen()).isEqualTo(new ListenAddress("127.0.0.1", 0));
            assertThat(ConfigLoader.parse(yaml.replace("forward: {listen: 127.0.0.1:0}",
                    "forward: {listen: 127.0.0.2:9090}").replace("admin: {listen: 127.0.0.1:9090}",
                    "admin: {listen: 127.0.0.1:9090}"), FILE).forward()).isNotNull();
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    @Test
    void capsAndTimeoutsAreBoundedLikeTheGateways() {
        assertThat(problems("""
                forward:
                  listen: bad
                  maxConnections: 0
                  maxConnectionsPerClient: 10000001
                  maxTunnels: 0
                  timeouts: {connect: 0s, response: 5, minBodyRate: 1KB, clientHello: 0ms, tunnelIdle: 600h}
                """)).containsExactly(
                "fw.yaml:6:11: forward.listen: bad listen address 'bad': the port is missing; expected host:port, "
                        + "e.g. 0.0.0.0:8080 or [::1]:9090",
                "fw.yaml:7:19: forward.maxConnections: expected a whole number from 1 to 10000000, got '0'",
                "fw.yaml:8:28: forward.maxConnectionsPerClient: expected a whole number from 1 to 10000000, "
                        + "got '10000001'",
                "fw.yaml:9:15: forward.maxTunnels: expected a whole number from 1 to 10000000, got '0'",
                "fw.yaml:10:23: forward.timeouts.connect: expected a duration from 1ms to 2147483647ms, got '0s'",
                "fw.yaml:10:37: forward.timeouts.response: bad duration '5': a unit is required; expected a number "
                        + "with ms, s, m or h, e.g. 5s",
                "fw.yaml:10:53: forward.timeouts.minBodyRate: bad size '1KB': expected bytes or a number with B, "
                        + "KiB, MiB or GiB, e.g. 64KiB",
                "fw.yaml:10:71: forward.timeouts.clientHello: expected a duration from 1ms to 2147483647ms, "
                        + "got '0ms'",
                "fw.yaml:10:88: forward.timeouts.tunnelIdle: expected a duration from 1ms to 2147483647ms, "
                        + "got '600h'");
    }

    @Test
    void ttlsAreBoundedAndOrdered() {
        assertThat(problems("""
                forward:
                  listen: 127.0.0.1:3128
                  dns: {minTtl: 2m, maxTtl: 1m, queryTimeout: 0s}
                """)).containsExactly(
                "fw.yaml:7:17: forward.dns.minTtl (120000ms) is above forward.dns.maxTtl (60000ms); minTtl must not "
                        + "exceed maxTtl (defaults 0s and 60s)",
                "fw.yaml:7:47: forward.dns.queryTimeout: expected a duration from 1ms to 2147483647ms, got '0s'");
        assertThat(problems("""
                forward:
                  listen: 127.0.0.1:3128
                  dns: {maxTtl: 25h}
                """)).containsExactly(
                "fw.yaml:7:17: forward.dns.maxTtl: expected a duration from 0ms to 86400000ms, got '25h'");
        assertThat(problems("""
                forward:
                  listen: 127.0.0.1:3128
                  dns: {minTtl: 61s}
                """)).containsExactly(
                "fw.yaml:7:17: forward.dns.minTtl (61000ms) is above forward.dns.maxTtl (60000ms); minTtl must not "
                        + "exceed maxTtl (defaults 0s and 60s)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "dns.example.org      | 'dns.example.org' is not an IP address: a name server is given by address, because "
                + "finding it by name would need DNS; expected an IP address with an optional port, e.g. 10.96.0.10, "
                + "127.0.0.1:5353 or [::1]:53",
        "010.0.0.1            | '010.0.0.1' is not an IP address: a name server is given by address, because finding "
                + "it by name would need DNS; expected an IP address with an optional port, e.g. 10.96.0.10, "
                + "127.0.0.1:5353 or [::1]:53",
        "fe80::1%eth0         | 'fe80::1%eth0' is not an IP address: a name server is given by address, because "
                + "finding it by name would need DNS; expected an IP address with an optional port, e.g. "
                + "10.96.0.10, 127.0.0.1:5353 or [::1]:53",
        "10.0.0.1:0           | the port in '10.0.0.1:0' must be a number from 1 to 65535",
        "10.0.0.1:65536       | the port in '10.0.0.1:65536' must be a number from 1 to 65535",
        "'[::1]:'             | the port in '[::1]:' must be a number from 1 to 65535",
        "'[::1'               | '[::1' has no closing ']'; expected an IP address with an optional port, e.g. "
                + "10.96.0.10, 127.0.0.1:5353 or [::1]:53",
        "'[::1]53'            | expected ':port' after ']' in '[::1]53'; expected an IP address with an optional "
                + "port, e.g. 10.96.0.10, 127.0.0.1:5353 or [::1]:53",
    })
    void serversMustBeIpLiterals(String server, String message) {
        assertThat(problems("forward:\n  listen: 127.0.0.1:3128\n  dns:\n    servers: [\"" + server + "\"]\n"))
                .containsExactly("fw.yaml:8:15: forward.dns.servers[0]: " + message);
    }

    @Test
    void serversMustBeAList() {
        assertThat(problems("forward:\n  listen: 127.0.0.1:3128\n  dns: {servers: 10.0.0.1}\n")).containsExactly(
                "fw.yaml:7:18: forward.dns.servers: expected a list of strings, e.g. [\"10.96.0.10\", "
                        + "\"127.0.0.1:5353\", \"[::1]:53\"], got '10.0.0.1'");
    }

    @Test
    void noHostsFileByDefault() {
        assertThat(valid("forward: {listen: 127.0.0.1:3128, dns: {servers: [10.0.0.53]}}\n").forward().dns()
                .hostsFile()).isNull();
        assertThat(DnsConfig.DEFAULTS.hostsFile()).isNull();
    }

    @Test
    void aHostsFileIsReadFromTheConfigsFolderAndMustExist(@TempDir Path folder) throws Exception {
        Path hosts = Files.writeString(folder.resolve("hosts"), "10.0.0.7 central.internal\n");
        Path config = folder.resolve("fw.yaml");

        SluiceConfig parsed = ConfigLoader.parse(HEAD + "forward: {listen: 127.0.0.1:3128, dns: {hostsFile: hosts}}\n",
                config);

        assertThat(parsed.forward().dns().hostsFile()).isEqualTo(hosts.toAbsolutePath().normalize());
        assertThat(DnsConfig.of(parsed)).isSameAs(parsed.forward().dns());
        try {
            ConfigLoader.parse(HEAD + "forward: {listen: 127.0.0.1:3128, dns: {hostsFile: missing}}\n", config);
            throw new AssertionError("a missing hosts file was accepted");
        } catch (ConfigException e) {
            assertThat(e.problems()).singleElement().asString().isEqualTo(config + ":5:52: forward.dns.hostsFile: "
                    + "no such file '" + folder.resolve("missing").toAbsolutePath().normalize() + "'; expected a "
                    + "hosts file such as /etc/hosts (a relative name is read from the config file's folder)");
        }
    }

    @Test
    void withoutAForwardSectionTheDefaultsResolve() {
        assertThat(DnsConfig.of(valid(""))).isEqualTo(DnsConfig.DEFAULTS);
    }

    /** Issue 16 item 10: a sidecar whose allowed hosts are all reached through HTTP_PROXY needs no gateway. */
    @Test
    void aForwardOnlyConfigLoadsWithoutAGateway() throws ConfigException {
        SluiceConfig config = ConfigLoader.parse("""
                version: 1
                forward: {listen: 127.0.0.1:3128}
                admin: {listen: 127.0.0.1:9090}
                audit: {path: audit.jsonl}
                rules:
                  - {name: pypi, methods: [CONNECT], hosts: [pypi.org], ports: [443]}
                """, FILE);

        assertThat(config.gateway()).isNull();
        assertThat(config.forward().listen()).isEqualTo(new ListenAddress("127.0.0.1", 3128));
        assertThat(config.shutdownGrace()).isEqualTo(GatewayTimeouts.DEFAULTS.shutdownGrace());
    }

    @Test
    void aForwardOnlyConfigCannotShutTheNetworkToo() {
        try {
            ConfigLoader.parse("""
                    version: 1
                    allowNetworkAccess: false
                    forward: {listen: 127.0.0.1:3128}
                    audit: {path: audit.jsonl}
                    """, FILE);
            throw new AssertionError("expected a ConfigException");
        } catch (ConfigException e) {
            assertThat(e.problems()).map(Problem::toString).containsExactly("fw.yaml:2:21: allowNetworkAccess: "
                    + "false leaves only the gateway's upstream reachable, and this config has no gateway, so "
                    + "every request would be denied; add a gateway or set allowNetworkAccess: true");
        }
    }
}
