package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.RecordingConnector;
import org.sluice.proxy.testing.TestCa;
import org.sluice.proxy.testing.TestDnsServer;
import org.sluice.proxy.testing.TestSluice;
import org.sluice.proxy.testing.TlsTestServer;

/**
 * CONNECT tunnels, as an algorithm with HTTPS_PROXY opens them: a tunnel to an allowed host carries a real TLS
 * session end to end; a tunnel whose ClientHello names another server, names none, or is not TLS at all is closed
 * before anything is dialled, and each is audited with why. The far end is a TLS server on 127.0.0.1 named
 * mirror.test by the test's own DNS server.
 */
class ConnectTunnelE2ETest {
    private static final TestCa CA = TestCa.createInTemporaryFolder();

    @TempDir
    Path folder;

    private TestDnsServer dns;
    private TlsTestServer mirror;
    private RecordingConnector dials;

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start();
        mirror = TlsTestServer.start(CA, "mirror.test", folder);
        dials = new RecordingConnector();
        dns.answer("mirror.test", 60, "127.0.0.1");
        dns.answer("other.test", 60, "127.0.0.1");
        dns.answer("metadata.test", 60, "169.254.169.254");
    }

    @AfterEach
    void stop() throws IOException {
        mirror.close();
        dns.close();
    }

    private String rules() {
        return """
                allowPrivate: [127.0.0.0/8]
                rules:
                  - name: mirror-tunnel
                    methods: [CONNECT]
                    hosts: [mirror.test, metadata.test]
                    ports: [%d, 443]
                """.formatted(mirror.port());
    }

    private TestSluice sluice(String forwardKeys) throws Exception {
        return TestSluice.start(TestSluice.forwardYaml(dns.address(), forwardKeys, rules()), dials);
    }

    /** A client socket that has sent CONNECT and read the head of Sluice's answer. */
    private record Connected(Socket socket, String head) { }

    private static Connected connect(TestSluice sluice, String authority, String extra) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", sluice.forwardPort()), 10_000);
        socket.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n"
                + extra).getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return new Connected(socket, readHead(socket.getInputStream()));
    }

    /** Reads up to and including the blank line, byte by byte, so nothing of the tunnel is consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** TLS over the tunnel, presenting {@code serverName} as SNI (none when null) and verifying mirror.test. */
    private static SSLSocket tls(Socket tunnel, String serverName) throws Exception {
        SSLSocket tls = (SSLSocket) CA.clientContext().getSocketFactory()
                .createSocket(tunnel, "mirror.test", tunnel.getPort(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(serverName == null ? List.of()
                : List.of(new javax.net.ssl.SNIHostName(serverName)));
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(10_000);
        return tls;
    }

    private static String get(SSLSocket tls) throws IOException {
        tls.getOutputStream().write("GET /simple/ HTTP/1.1\r\nHost: mirror.test\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        tls.getOutputStream().flush();
        String head = readHead(tls.getInputStream());
        return head + new String(tls.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
    }

    private static Map<String, Object> onlyRecord(TestSluice sluice) {
        List<Map<String, Object>> records = sluice.awaitAudit(1);
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    @Test
    void anAllowedTunnelCarriesARealTlsSessionAndIsAccountedWhenItCloses() throws Exception {
        try (TestSluice sluice = sluice("")) {
            Connected tunnel = connect(sluice, "mirror.test:" + mirror.port(), "");
            assertThat(tunnel.head()).startsWith("HTTP/1.1 200 ").containsIgnoringCase("X-Sluice-Request-Id: ");
            try (SSLSocket tls = tls(tunnel.socket(), "mirror.test")) {
                tls.startHandshake();
                assertThat(get(tls)).startsWith("HTTP/1.1 200 OK").endsWith("hello");
                assertThat(get(tls)).as("a second request in the same session").endsWith("hello");
            }

            Map<String, Object> record = onlyRecord(sluice);
            assertThat(record).containsEntry("listener", "forward").containsEntry("method", "CONNECT")
                    .containsEntry("scheme", "https").containsEntry("host", "mirror.test")
                    .containsEntry("port", (long) mirror.port()).containsEntry("path", null)
                    .containsEntry("decision", "allow").containsEntry("rule", "mirror-tunnel")
                    .containsEntry("status", 200L).containsEntry("sni", "mirror.test")
                    .containsEntry("closeReason", "client_closed").containsEntry("error", null)
                    .containsEntry("upstream", "127.0.0.1:" + mirror.port());
            assertThat((Long) record.get("reqBytes")).as("client to server, ClientHello included").isGreaterThan(200);
            assertThat((Long) record.get("respBytes")).as("server to client, certificate included").isGreaterThan(500);
            assertThat(mirror.handshakes()).isEqualTo(1);
            assertThat(dials.attempts()).containsExactly(new InetSocketAddress("127.0.0.1", mirror.port()));
            Await.until(() -> sluice.server().openTunnels() == 0, Duration.ofSeconds(5), "the tunnel count drops");
        }
    }

    @Test
    void aStockHttpsProxyClientReachesTheAllowedHostAndNothingElse() throws Exception {
        try (TestSluice sluice = sluice("")) {
            // The JDK's own HTTP client with only a proxy set, as an algorithm with HTTPS_PROXY would be.
            HttpClient client = HttpClient.newBuilder()
                    .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", sluice.forwardPort())))
                    .sslContext(CA.clientContext())
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            HttpResponse<String> allowed = client.send(HttpRequest.newBuilder(
                    URI.create("https://mirror.test:" + mirror.port() + "/simple/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).isEqualTo("hello");

            assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(
                    URI.create("https://other.test:" + mirror.port() + "/simple/")).build(),
                    HttpResponse.BodyHandlers.ofString()))
                    .as("the CONNECT is answered 403").isInstanceOf(IOException.class);
            assertThat(mirror.handshakes()).as("only the allowed request reached the server").isEqualTo(1);
        }
    }

    @Test
    void aClientHelloNamingAnotherServerClosesTheTunnelBeforeAnythingIsDialled() throws Exception {
        try (TestSluice sluice = sluice("")) {
            Connected tunnel = connect(sluice, "mirror.test:" + mirror.port(), "");
            assertThat(tunnel.head()).startsWith("HTTP/1.1 200 ");
            try (SSLSocket tls = tls(tunnel.socket(), "other.test")) {
                assertThatThrownBy(tls::startHandshake).isInstanceOf(IOException.class);
            }

            assertThat(onlyRecord(sluice)).containsEntry("decision", "deny").containsEntry("error", "sni_mismatch")
                    .containsEntry("closeReason", "sni_mismatch").containsEntry("sni", "other.test")
                    .containsEntry("status", 200L).containsEntry("reqBytes", 0L);
            assertThat(mirror.accepted()).isZero();
            assertThat(dials.attempts()).isEmpty();
        }
    }

    @Test
    void whatATunnelSendsCountsAgainstTheEgressBudget() throws Exception {
        String budgeted = TestSluice.forwardYaml(dns.address(), "", rules()
                + "budgets:\n  perJob: {totalRequestBytes: 100}\n");
        try (TestSluice sluice = TestSluice.start(budgeted, dials)) {
            Connected tunnel = connect(sluice, "mirror.test:" + mirror.port(), "");
            try (SSLSocket tls = tls(tunnel.socket(), "mirror.test")) {
                // A ClientHello alone is several hundred bytes: it does not fit, so not a byte of it leaves.
                assertThatThrownBy(tls::startHandshake).isInstanceOf(IOException.class);
            }

            assertThat(onlyRecord(sluice)).containsEntry("closeReason", "budget_exceeded")
                    .containsEntry("error", "budget_exceeded").containsEntry("reqBytes", 0L);
            assertThat(mirror.handshakes()).isZero();
        }
    }

    @Test
    void aClientHelloWithoutServerNameClosesTheTunnel() throws Exception {
        try (TestSluice sluice = sluice("")) {
            Connected tunnel = connect(sluice, "mirror.test:" + mirror.port(), "");
            try (SSLSocket tls = tls(tunnel.socket(), null)) {
                assertThatThrownBy(tls::startHandshake).isInstanceOf(IOException.class);
            }

            assertThat(onlyRecord(sluice)).containsEntry("decision", "deny").containsEntry("error", "sni_missing")
                    .containsEntry("sni", null);
            assertThat(mirror.accepted()).isZero();
        }
    }

    @Test
    void plainTextAfterTheConnectClosesTheTunnel() throws Exception {
        try (TestSluice sluice = sluice("")) {
            Connected tunnel = connect(sluice, "mirror.test:" + mirror.port(), "");
            tunnel.socket().getOutputStream().write("GET /simple/ HTTP/1.1\r\nHost: mirror.test\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(tunnel.socket().getInputStream().read()).as("closed without a byte").isEqualTo(-1);
            tunnel.socket().close();

            assertThat(onlyRecord(sluice)).containsEntry("decision", "deny").containsEntry("error", "not_tls");
            assertThat(mirror.accepted()).isZero();
        }
    }

    @Test
    void bytesSentWithTheConnectHeadAreCheckedLikeAnyOther() throws Exception {
        try (TestSluice sluice = sluice("")) {
            Connected tunnel = connect(sluice, "mirror.test:" + mirror.port(), "GET /exfiltrate HTTP/1.1\r\n\r\n");
            assertThat(tunnel.head()).startsWith("HTTP/1.1 200 ");
            assertThat(tunnel.socket().getInputStream().read()).isEqualTo(-1);
            tunnel.socket().close();

            assertThat(onlyRecord(sluice)).containsEntry("error", "not_tls");
            assertThat(mirror.accepted()).isZero();
        }
    }

    @Test
    void aConnectNoRuleAllowsIsRefusedWith403() throws Exception {
        try (TestSluice sluice = sluice("")) {
            for (String authority : List.of("other.test:" + mirror.port(), "mirror.test:" + (mirror.port() + 1))) {
                Connected tunnel = connect(sluice, authority, "");
                assertThat(tunnel.head()).as(authority).startsWith("HTTP/1.1 403 ")
                        .containsIgnoringCase("X-Sluice-Error: denied");
                tunnel.socket().close();
            }
            assertThat(sluice.awaitAudit(2)).allSatisfy(r -> assertThat(r).containsEntry("decision", "deny")
                    .containsEntry("method", "CONNECT").containsEntry("status", 403L));
            assertThat(mirror.accepted()).isZero();
            assertThat(dials.attempts()).isEmpty();
        }
    }

    @Test
    void aConnectToAnIpAddressOrAMalformedTargetIsRefusedWith400() throws Exception {
        try (TestSluice sluice = sluice("")) {
            for (String authority : List.of("127.0.0.1:" + mirror.port(), "mirror.test", "user@mirror.test:443",
                    "0x7f.1:443")) {
                Connected tunnel = connect(sluice, authority, "");
                assertThat(tunnel.head()).as(authority).startsWith("HTTP/1.1 400 ")
                        .containsIgnoringCase("X-Sluice-Error: bad_request");
                tunnel.socket().close();
            }
            assertThat(mirror.accepted()).isZero();
            assertThat(dials.attempts()).isEmpty();
        }
    }

    @Test
    void aNameThatResolvesToTheMetadataServiceIsNeverDialled() throws Exception {
        try (TestSluice sluice = sluice("")) {
            Connected tunnel = connect(sluice, "metadata.test:443", "");
            assertThat(tunnel.head()).startsWith("HTTP/1.1 403 ").containsIgnoringCase("X-Sluice-Error: denied");
            tunnel.socket().close();

            assertThat(onlyRecord(sluice)).containsEntry("decision", "deny")
                    .containsEntry("error", "upstream_address_denied").containsEntry("upstream", null);
            assertThat(dials.attempts()).isEmpty();
        }
    }

    @Test
    void aClientThatSendsNoClientHelloIsClosedAfterTheDeadline() throws Exception {
        try (TestSluice sluice = sluice("  timeouts: {clientHello: 300ms}\n")) {
            Connected tunnel = connect(sluice, "mirror.test:" + mirror.port(), "");
            long start = System.nanoTime();
            assertThat(tunnel.socket().getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            tunnel.socket().close();

            assertThat(onlyRecord(sluice)).containsEntry("error", "client_hello_timeout");
            assertThat(mirror.accepted()).isZero();
        }
    }

    @Test
    void anIdleTunnelIsClosedAfterTunnelIdle() throws Exception {
        try (TestSluice sluice = sluice("  timeouts: {tunnelIdle: 500ms}\n")) {
            Connected tunnel = connect(sluice, "mirror.test:" + mirror.port(), "");
            try (SSLSocket tls = tls(tunnel.socket(), "mirror.test")) {
                tls.startHandshake();
                assertThat(get(tls)).endsWith("hello");
                long start = System.nanoTime();
                assertThatThrownBy(() -> {
                    if (tls.getInputStream().read() >= 0) {
                        throw new AssertionError("data on an idle tunnel");
                    }
                    throw new IOException("closed");
                }).isInstanceOf(IOException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
            assertThat(onlyRecord(sluice)).containsEntry("closeReason", "idle_timeout").containsEntry("error", null)
                    .containsEntry("decision", "allow");
        }
    }

    private static String metricsText(TestSluice sluice) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        sluice.server().metrics().writeText(text);
        return text.toString(StandardCharsets.UTF_8);
    }

    @Test
    void stoppingClosesAQuietTunnelWithoutWaitingOutTheGracePeriod() throws Exception {
        try (TestSluice sluice = sluice("")) {
            Connected tunnel = connect(sluice, "mirror.test:" + mirror.port(), "");
            try (SSLSocket tls = tls(tunnel.socket(), "mirror.test")) {
                tls.startHandshake();
                assertThat(get(tls)).endsWith("hello");
                long start = System.nanoTime();
                sluice.server().shutdownGracefully();

                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the grace period is 10 s")
                        .isLessThan(Duration.ofSeconds(5));
            }
            assertThat(onlyRecord(sluice)).containsEntry("closeReason", "shutdown").containsEntry("decision", "allow");
        }
    }

    @Test
    void aConnectOverMaxTunnelsGets503() throws Exception {
        try (TestSluice sluice = sluice("  maxTunnels: 1\n")) {
            Connected first = connect(sluice, "mirror.test:" + mirror.port(), "");
            try (SSLSocket tls = tls(first.socket(), "mirror.test")) {
                tls.startHandshake();
                assertThat(metricsText(sluice)).contains("sluice_tunnels_open 1.0");
                Connected second = connect(sluice, "mirror.test:" + mirror.port(), "");
                assertThat(second.head()).startsWith("HTTP/1.1 503 ").containsIgnoringCase("X-Sluice-Error: unavailable");
                assertThat(new String(second.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .contains("forward.maxTunnels (1) tunnels are open");
                second.socket().close();
                assertThat(get(tls)).as("the open tunnel is unaffected").endsWith("hello");
            }
            Await.until(() -> sluice.server().openTunnels() == 0, Duration.ofSeconds(5), "the tunnel count drops");
            assertThat(metricsText(sluice)).contains("sluice_tunnels_open 0.0");
            Connected third = connect(sluice, "mirror.test:" + mirror.port(), "");
            assertThat(third.head()).as("a slot is free again").startsWith("HTTP/1.1 200 ");
            third.socket().close();
        }
    }
}
