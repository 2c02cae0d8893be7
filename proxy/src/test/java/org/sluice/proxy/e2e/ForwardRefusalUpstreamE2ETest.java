package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.FreePorts;
import org.sluice.proxy.testing.RecordingConnector;
import org.sluice.proxy.testing.TestCa;
import org.sluice.proxy.testing.TestDnsServer;
import org.sluice.proxy.testing.TestSluice;
import org.sluice.proxy.testing.TlsTestServer;

/**
 * Every way the forward listener refuses a CONNECT or a request, as the audit log tells it: {@code upstream} names
 * the address Sluice connected to, and is null whenever no connection was made, however far the exchange got
 * (a 200 followed by a refused ClientHello dials nothing; a dial the server refuses connects nothing). The
 * auditor's "reached an upstream" query ({@code .upstream != null}) counts on it. And what each refusal tells:
 * the part of the request no rule allows, a refused connection in plain words, and for a CONNECT (whose body
 * clients drop) a {@code Proxy-Status} header.
 */
class ForwardRefusalUpstreamE2ETest {
    private static final TestCa CA = TestCa.createInTemporaryFolder();

    @TempDir
    Path folder;

    private TestDnsServer dns;
    private TlsTestServer mirror;
    private Socket closed;
    private RecordingConnector dials;

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start();
        mirror = TlsTestServer.start(CA, "mirror.test", folder);
        closed = FreePorts.unlistened();
        dials = new RecordingConnector();
        dns.answer("mirror.test", 60, "127.0.0.1");
        dns.answer("closed.test", 60, "127.0.0.1");
        dns.answer("other.test", 60, "127.0.0.1");
        dns.answer("metadata.test", 60, "169.254.169.254");
    }

    @AfterEach
    void stop() throws IOException {
        closed.close();
        mirror.close();
        dns.close();
    }

    private String rules(String extra) {
        return """
                allowPrivate: [127.0.0.0/8]
                rules:
                  - name: tunnels
                    methods: [CONNECT]
                    hosts: [mirror.test, closed.test, metadata.test]
                    ports: [%d, %d, 443]
                  - name: plain
                    methods: [GET]
                    paths: ["/**"]
                    hosts: [mirror.test, closed.test]
                    ports: [80, %d]
                """.formatted(mirror.port(), closed.getLocalPort(), closed.getLocalPort()) + extra;
    }

    private TestSluice sluice(String forwardKeys, String extra) throws Exception {
        return TestSluice.start(TestSluice.forwardYaml(dns.address(), forwardKeys, rules(extra)), dials);
    }

    /** Sends a CONNECT (with extra head lines), returns the socket after reading the head of the answer. */
    private static Socket connect(TestSluice sluice, String authority, String headLines, StringBuilder head)
            throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", sluice.forwardPort()), 10_000);
        socket.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\n" + headLines + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        head.append(readHead(socket.getInputStream()));
        return socket;
    }

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

    /** A TLS handshake over the tunnel naming serverName (none when null); it fails when Sluice closes the tunnel. */
    private static void handshake(Socket tunnel, String serverName) throws Exception {
        try (SSLSocket tls = (SSLSocket) CA.clientContext().getSocketFactory()
                .createSocket(tunnel, "mirror.test", tunnel.getPort(), true)) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
            tls.setSSLParameters(parameters);
            tls.setSoTimeout(10_000);
            tls.startHandshake();
        }
    }

    private static Map<String, Object> recordWithError(TestSluice sluice, int count, String error) {
        List<Map<String, Object>> records = sluice.awaitAudit(count);
        return records.stream().filter(r -> error.equals(r.get("error"))).findFirst()
                .orElseThrow(() -> new AssertionError("no record with error " + error + " in " + records));
    }

    @Test
    void refusalsBeforeThe200HaveNoUpstream() throws Exception {
        try (TestSluice sluice = sluice("", "")) {
            String mirrorAt = "mirror.test:" + mirror.port();
            List<String> heads = List.of(
                    "other.test:" + mirror.port() + "|Host: other.test:" + mirror.port() + "\r\n|403",
                    "127.0.0.1:" + mirror.port() + "||400",
                    mirrorAt + "|Host: " + mirrorAt + "\r\nHost: " + mirrorAt + "\r\n|400",
                    mirrorAt + "|Host: other.test:" + mirror.port() + "\r\n|400",
                    "metadata.test:443||403");
            for (String line : heads) {
                String[] parts = line.split("\\|", -1);
                StringBuilder head = new StringBuilder();
                try (Socket ignored = connect(sluice, parts[0], parts[1], head)) {
                    assertThat(head.toString()).as(parts[0]).startsWith("HTTP/1.1 " + parts[2] + " ");
                }
            }

            List<Map<String, Object>> records = sluice.awaitAudit(heads.size());
            assertThat(records).hasSize(heads.size()).allSatisfy(r -> assertThat(r)
                    .containsEntry("decision", "deny").containsEntry("upstream", null));
            assertThat(dials.attempts()).isEmpty();
        }
    }

    @Test
    void aTunnelRefusedAfterThe200ForItsClientHelloHasNoUpstream() throws Exception {
        try (TestSluice sluice = sluice("  timeouts: {clientHello: 300ms}\n", "")) {
            String mirrorAt = "mirror.test:" + mirror.port();
            StringBuilder head = new StringBuilder();
            try (Socket tunnel = connect(sluice, mirrorAt, "", head)) {
                assertThatThrownBy(() -> handshake(tunnel, "other.test")).isInstanceOf(IOException.class);
            }
            try (Socket tunnel = connect(sluice, mirrorAt, "", head)) {
                assertThatThrownBy(() -> handshake(tunnel, null)).isInstanceOf(IOException.class);
            }
            try (Socket tunnel = connect(sluice, mirrorAt, "", head)) {
                tunnel.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(tunnel.getInputStream().read()).isEqualTo(-1);
            }
            try (Socket tunnel = connect(sluice, mirrorAt, "", head)) {
                assertThat(tunnel.getInputStream().read()).as("closed after clientHello").isEqualTo(-1);
            }

            List<Map<String, Object>> records = sluice.awaitAudit(4);
            assertThat(records).extracting(r -> r.get("error"))
                    .containsExactlyInAnyOrder("sni_mismatch", "sni_missing", "not_tls", "client_hello_timeout");
            assertThat(records).allSatisfy(r -> assertThat(r).containsEntry("status", 200L)
                    .containsEntry("decision", "deny").containsEntry("upstream", null));
            assertThat(mirror.accepted()).isZero();
            assertThat(dials.attempts()).isEmpty();
        }
    }

    @Test
    void aTunnelWhoseServerRefusesTheConnectionHasNoUpstream() throws Exception {
        try (TestSluice sluice = sluice("", "")) {
            StringBuilder head = new StringBuilder();
            try (Socket tunnel = connect(sluice, "closed.test:" + closed.getLocalPort(), "", head)) {
                assertThat(head.toString()).startsWith("HTTP/1.1 200 ");
                assertThatThrownBy(() -> handshake(tunnel, "closed.test")).isInstanceOf(IOException.class);
            }

            Map<String, Object> record = recordWithError(sluice, 1, "upstream_failed");
            assertThat(record).containsEntry("upstream", null).containsEntry("closeReason", "upstream_failed");
            assertThat(dials.attempts()).as("dialled, but nothing connected")
                    .containsExactly(new InetSocketAddress("127.0.0.1", closed.getLocalPort()));
        }
    }

    @Test
    void aConnectOverItsBudgetOrOverMaxTunnelsHasNoUpstream() throws Exception {
        try (TestSluice sluice = sluice("  maxTunnels: 1\n", "")) {
            StringBuilder head = new StringBuilder();
            try (Socket open = connect(sluice, "mirror.test:" + mirror.port(), "", head);
                 Socket second = connect(sluice, "mirror.test:" + mirror.port(), "", head.delete(0, head.length()))) {
                assertThat(head.toString()).startsWith("HTTP/1.1 503 ");
                assertThat(recordWithError(sluice, 1, "unavailable")).containsEntry("upstream", null);
            }
        }
        try (TestSluice sluice = sluice("", "budgets:\n  perClient: {requests: 0}\n")) {
            StringBuilder head = new StringBuilder();
            try (Socket ignored = connect(sluice, "mirror.test:" + mirror.port(), "", head)) {
                assertThat(head.toString()).startsWith("HTTP/1.1 429 ");
            }
            assertThat(recordWithError(sluice, 1, "budget_exceeded")).containsEntry("upstream", null);
        }
    }

    @Test
    void anAllowedTunnelNamesTheAddressItConnectedTo() throws Exception {
        try (TestSluice sluice = sluice("", "")) {
            StringBuilder head = new StringBuilder();
            try (Socket tunnel = connect(sluice, "mirror.test:" + mirror.port(), "", head)) {
                handshake(tunnel, "mirror.test");
            }
            assertThat(sluice.awaitAudit(1).get(0)).containsEntry("decision", "allow")
                    .containsEntry("upstream", "127.0.0.1:" + mirror.port());
        }
    }

    /** A plain-HTTP request through the forward listener; the whole answer (the connection closes after it). */
    private static String send(TestSluice sluice, String method, String url) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress("127.0.0.1", sluice.forwardPort()), 10_000);
            String host = url.substring("http://".length(), url.indexOf('/', "http://".length()));
            socket.getOutputStream().write((method + " " + url + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aRequestNoRuleAllowsIsToldWhichPartDidNotMatch() throws Exception {
        try (TestSluice sluice = sluice("", "")) {
            assertThat(send(sluice, "GET", "http://other.test:" + mirror.port() + "/x"))
                    .startsWith("HTTP/1.1 403 ").contains("\"reason\":\"no rule allows this host\"");
            assertThat(send(sluice, "GET", "http://mirror.test:" + mirror.port() + "/x"))
                    .contains("\"reason\":\"no rule for this host allows this port\"");
            assertThat(send(sluice, "DELETE", "http://mirror.test/x"))
                    .contains("\"reason\":\"no rule for this host and port allows method DELETE\"");
            assertThat(send(sluice, "POTS", "http://mirror.test/x")).startsWith("HTTP/1.1 403 ")
                    .contains("\"reason\":\"no rule allows this method: it is not a standard HTTP method, and no "
                            + "rule lists it under extensionMethods\"");

            assertThat(sluice.awaitAudit(4)).extracting(r -> r.get("reason")).containsExactly(
                    "no rule allows this host", "no rule for this host allows this port",
                    "no rule for this host and port allows method DELETE", "no rule allows this method: it is not a "
                            + "standard HTTP method, and no rule lists it under extensionMethods");
            assertThat(sluice.audit().get(3)).containsEntry("method", "POTS");
            assertThat(dials.attempts()).isEmpty();
        }
    }

    @Test
    void aServerThatRefusesTheConnectionIsSaidSoInPlainWords() throws Exception {
        int port = closed.getLocalPort();
        try (TestSluice sluice = sluice("", "")) {
            assertThat(send(sluice, "GET", "http://closed.test:" + port + "/x")).startsWith("HTTP/1.1 502 ")
                    .contains("\"reason\":\"closed.test:" + port + " at 127.0.0.1:" + port
                            + " refused the connection\"");
            StringBuilder head = new StringBuilder();
            try (Socket tunnel = connect(sluice, "closed.test:" + port, "", head)) {
                assertThatThrownBy(() -> handshake(tunnel, "closed.test")).isInstanceOf(IOException.class);
            }
            assertThat(sluice.awaitAudit(2)).extracting(r -> r.get("reason")).containsOnly(
                    "closed.test:" + port + " at 127.0.0.1:" + port + " refused the connection");
        }
        try (TestSluice gateway = TestSluice.start(TestSluice.gatewayYaml("http://127.0.0.1:" + port, """
                rules:
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                """))) {
            try (Socket socket = new Socket("127.0.0.1", gateway.gatewayPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /api/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .startsWith("HTTP/1.1 502 ").contains("\"reason\":\"the central server at 127.0.0.1:" + port
                                + " refused the connection\"").doesNotContain("finishConnect");
            }
        }
    }

    @Test
    void aRefusedConnectCarriesProxyStatus() throws Exception {
        try (TestSluice sluice = sluice("", "")) {
            StringBuilder head = new StringBuilder();
            try (Socket ignored = connect(sluice, "other.test:" + mirror.port(), "", head)) {
                assertThat(head.toString()).startsWith("HTTP/1.1 403 ").contains("\r\nproxy-status: sluice; "
                        + "error=http_request_denied; details=\"denied: no CONNECT rule allows a tunnel to this host\""
                        + "\r\n");
            }
            head.setLength(0);
            try (Socket ignored = connect(sluice, "metadata.test:443", "", head)) {
                assertThat(head.toString()).startsWith("HTTP/1.1 403 ").containsPattern("\r\nproxy-status: sluice; "
                        + "error=destination_ip_prohibited; details=\"upstream_address_denied: metadata.test is not "
                        + "dialled: [^\"]*\"\r\n");
            }
            head.setLength(0);
            try (Socket ignored = connect(sluice, "127.0.0.1:443", "", head)) {
                assertThat(head.toString()).startsWith("HTTP/1.1 400 ")
                        .contains("\r\nproxy-status: sluice; error=http_request_error; details=\"bad_request: ");
            }
        }
    }

    @Test
    void plainForwardRequestsThatAreRefusedHaveNoUpstream() throws Exception {
        try (TestSluice sluice = sluice("", "")) {
            for (String url : List.of("http://other.test:" + mirror.port() + "/x",
                    "http://metadata.test/x", "http://closed.test:" + closed.getLocalPort() + "/x")) {
                try (Socket socket = new Socket()) {
                    socket.setSoTimeout(10_000);
                    socket.connect(new InetSocketAddress("127.0.0.1", sluice.forwardPort()), 10_000);
                    String host = url.substring("http://".length(), url.indexOf('/', "http://".length()));
                    socket.getOutputStream().write(("GET " + url + " HTTP/1.1\r\nHost: " + host
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertThat(readHead(socket.getInputStream())).as(url).matches("(?s)HTTP/1.1 (403|502) .*");
                }
            }
            assertThat(sluice.awaitAudit(3)).allSatisfy(r -> assertThat(r).containsEntry("upstream", null));
        }
    }
}
