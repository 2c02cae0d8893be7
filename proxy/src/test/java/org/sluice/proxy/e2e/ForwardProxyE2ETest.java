package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingConnector;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestDnsServer;
import org.sluice.proxy.testing.TestSluice;

/**
 * The forward listener with plain-HTTP (absolute-form) requests, as an algorithm with only HTTP_PROXY set sends
 * them: allowed hosts are reached, everything else is refused before anything is dialled. Names resolve through
 * the test's own DNS server on 127.0.0.1; the connector records every dial and dials nothing outside 127.0.0.0/8.
 */
class ForwardProxyE2ETest {

    private static final String RULES = """
            allowPrivate: [127.0.0.0/8]
            rules:
              - name: mirror
                methods: [GET, POST]
                paths: ["/simple/**"]
                hosts: [mirror.test]
                limits: { maxRequestBodyBytes: 16 }
              - name: anywhere-status
                methods: [GET]
                paths: ["/status"]
            """;

    private TestDnsServer dns;
    private RecordingUpstream mirror;
    private RecordingConnector dials;

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start();
        mirror = RecordingUpstream.start();
        dials = new RecordingConnector();
        dns.answer("mirror.test", 60, "127.0.0.1");
        dns.answer("other.test", 60, "127.0.0.1");
        dns.answer("metadata.test", 60, "169.254.169.254");
    }

    @AfterEach
    void stop() {
        mirror.close();
        dns.close();
    }

    private TestSluice sluice(String rest) throws Exception {
        return TestSluice.start(TestSluice.forwardYaml(dns.address(), rest), dials);
    }

    private static RawResponse send(TestSluice sluice, String request) throws Exception {
        return RawHttpConnection.exchange(sluice.forwardPort(), request);
    }

    @Test
    void anAllowedHostGetsTheRequestInOriginFormWithItsOwnHost() throws Exception {
        try (TestSluice sluice = sluice(RULES)) {
            int port = mirror.port();
            RawResponse response = send(sluice, "GET http://mirror.test:" + port + "/simple/numpy/?x=1 HTTP/1.1\r\n"
                    + "Host: mirror.test:" + port + "\r\nProxy-Connection: keep-alive\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("ok");
            assertThat(mirror.received()).hasSize(1);
            RecordingUpstream.Received got = mirror.received().get(0);
            assertThat(got.uri()).isEqualTo("/simple/numpy/?x=1");
            assertThat(got.header("Host")).isEqualTo("mirror.test:" + port);
            assertThat(got.headers("Proxy-Connection")).isEmpty();
            Map<String, Object> record = sluice.awaitAudit(1).get(0);
            assertThat(record).containsEntry("listener", "forward").containsEntry("method", "GET")
                    .containsEntry("scheme", "http").containsEntry("host", "mirror.test")
                    .containsEntry("port", (long) port).containsEntry("path", "/simple/numpy/")
                    .containsEntry("decision", "allow").containsEntry("rule", "mirror")
                    .containsEntry("status", 200L).containsEntry("upstream", "127.0.0.1:" + port);
            assertThat(dials.attempts()).containsExactly(new InetSocketAddress("127.0.0.1", port));
        }
    }

    @Test
    void requestsToTheSameDestinationReuseOneCheckedConnection() throws Exception {
        try (TestSluice sluice = sluice(RULES);
             RawHttpConnection client = RawHttpConnection.open(sluice.forwardPort())) {
            String get = "GET http://mirror.test:" + mirror.port() + "/simple/%d HTTP/1.1\r\nHost: mirror.test:"
                    + mirror.port() + "\r\n\r\n";
            for (int i = 0; i < 3; i++) {
                assertThat(client.send(get.formatted(i)).readResponse().status()).isEqualTo(200);
            }
            assertThat(mirror.received()).hasSize(3);
            assertThat(mirror.connectionsAccepted()).as("one upstream connection, kept alive").isEqualTo(1);
            assertThat(dials.attempts()).hasSize(1);

            // Kept-alive connections belong to one event loop; a second client connection may be served by
            // another loop and then needs its own upstream connection, dialled only after its own check.
            try (RawHttpConnection other = RawHttpConnection.open(sluice.forwardPort())) {
                assertThat(other.send(get.formatted(3)).readResponse().status()).isEqualTo(200);
            }
            assertThat(mirror.received()).hasSize(4);
            Await.until(() -> mirror.connectionsAccepted() == dials.attempts().size(), Duration.ofSeconds(5),
                    "the mirror counted every dial");
            assertThat(dials.attempts()).hasSizeBetween(1, 2)
                    .containsOnly(new InetSocketAddress("127.0.0.1", mirror.port()));
        }
    }

    @Test
    void aHostNoRuleAllowsIsRefusedAndNeverDialled() throws Exception {
        try (TestSluice sluice = sluice(RULES)) {
            RawResponse response = send(sluice, "GET http://other.test:" + mirror.port() + "/simple/x HTTP/1.1\r\n"
                    + "Host: other.test:" + mirror.port() + "\r\n\r\n");

            assertThat(response.status()).isEqualTo(403);
            assertThat(response.header("X-Sluice-Error")).isEqualTo("denied");
            assertThat(sluice.awaitAudit(1).get(0)).containsEntry("decision", "deny")
                    .containsEntry("host", "other.test").containsEntry("listener", "forward");
            assertThat(dials.attempts()).isEmpty();
            assertThat(mirror.connectionsAccepted()).isZero();
        }
    }

    @Test
    void aBodyOverTheRulesLimitNeverLeaves() throws Exception {
        try (TestSluice sluice = sluice(RULES)) {
            RawResponse response = send(sluice, "POST http://mirror.test:" + mirror.port() + "/simple/up HTTP/1.1\r\n"
                    + "Host: mirror.test:" + mirror.port() + "\r\nContent-Length: 17\r\n\r\n01234567890123456");

            assertThat(response.status()).isEqualTo(413);
            assertThat(mirror.received()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Host names another host     | GET http://mirror.test:{port}/simple/x HTTP/1.1\\r\\nHost: other.test:{port}\\r\\n\\r\\n",
        "two Host headers            | GET http://mirror.test:{port}/simple/x HTTP/1.1\\r\\nHost: mirror.test:{port}\\r\\nHost: mirror.test:{port}\\r\\n\\r\\n",
        "userinfo                    | GET http://user:pw@mirror.test:{port}/simple/x HTTP/1.1\\r\\n\\r\\n",
        "a fragment                  | GET http://mirror.test:{port}/simple/x#frag HTTP/1.1\\r\\n\\r\\n",
        "octal IPv4                  | GET http://0177.0.0.1:{port}/status HTTP/1.1\\r\\n\\r\\n",
        "hex IPv4                    | GET http://0x7f.0.0.1:{port}/status HTTP/1.1\\r\\n\\r\\n",
        "dotless integer IPv4        | GET http://2130706433:{port}/status HTTP/1.1\\r\\n\\r\\n",
        "shortened IPv4              | GET http://127.1:{port}/status HTTP/1.1\\r\\n\\r\\n",
        "https in absolute form      | GET https://mirror.test:{port}/simple/x HTTP/1.1\\r\\n\\r\\n",
        "a path, not a URL           | GET /simple/x HTTP/1.1\\r\\nHost: mirror.test\\r\\n\\r\\n",
        "CONNECT after a request     | GET http://mirror.test:{port}/simple/x HTTP/1.1\\r\\nHost: mirror.test:{port}\\r\\n\\r\\nCONNECT mirror.test:443 HTTP/1.1\\r\\n\\r\\n",
    })
    void aTargetThatCouldMisleadIsRefusedWith400(String what, String request) throws Exception {
        try (TestSluice sluice = sluice(RULES)) {
            String wire = request.replace("{port}", String.valueOf(mirror.port())).replace("\\r\\n", "\r\n");
            int expectedForwarded = what.startsWith("CONNECT after") ? 1 : 0;
            try (RawHttpConnection connection = RawHttpConnection.open(sluice.forwardPort())) {
                connection.send(wire);
                RawResponse response = connection.readResponse();
                if (expectedForwarded == 1) {
                    assertThat(response.status()).isEqualTo(200);
                    response = connection.readResponse();
                }
                assertThat(response.status()).as(what).isEqualTo(400);
                assertThat(response.header("X-Sluice-Error")).isEqualTo("bad_request");
                assertThat((String) response.json().get("reason")).isNotBlank();
            }
            assertThat(mirror.received()).as("the upstream saw nothing of it").hasSize(expectedForwarded);
            assertThat(dials.attempts()).hasSize(expectedForwarded);
        }
    }

    @Test
    void theMetadataServiceIsRefusedByLiteralAndByNameAndNeverDialled() throws Exception {
        try (TestSluice sluice = sluice(RULES)) {
            RawResponse literal = send(sluice, "GET http://169.254.169.254/status HTTP/1.1\r\n"
                    + "Host: 169.254.169.254\r\n\r\n");
            RawResponse byName = send(sluice, "GET http://metadata.test/status HTTP/1.1\r\nHost: metadata.test\r\n\r\n");

            for (RawResponse response : List.of(literal, byName)) {
                assertThat(response.status()).isEqualTo(403);
                assertThat(response.header("X-Sluice-Error")).isEqualTo("denied");
                assertThat((String) response.json().get("reason"))
                        .contains("169.254.169.254 is the cloud metadata service");
            }
            List<Map<String, Object>> records = sluice.awaitAudit(2);
            assertThat(records).allSatisfy(r -> assertThat(r).containsEntry("decision", "deny")
                    .containsEntry("error", "upstream_address_denied").containsEntry("upstream", null));
            assertThat(dials.attempts()).isEmpty();
        }
    }

    @Test
    void loopbackIsRefusedWithoutAllowPrivateIncludingIpv4MappedIpv6() throws Exception {
        try (TestSluice sluice = sluice(RULES.replace("allowPrivate: [127.0.0.0/8]\n", ""))) {
            int port = mirror.port();
            for (String host : List.of("mirror.test:" + port, "127.0.0.1:" + port, "[::ffff:127.0.0.1]:" + port,
                    "[::1]:" + port, "localhost:" + port)) {
                String path = host.startsWith("mirror") ? "/simple/x" : "/status";
                RawResponse response = send(sluice, "GET http://" + host + path + " HTTP/1.1\r\nHost: " + host
                        + "\r\n\r\n");
                assertThat(response.status()).as(host).isEqualTo(403);
                assertThat(response.header("X-Sluice-Error")).isEqualTo("denied");
            }
            assertThat(dials.attempts()).isEmpty();
            assertThat(mirror.connectionsAccepted()).isZero();
        }
    }
}
