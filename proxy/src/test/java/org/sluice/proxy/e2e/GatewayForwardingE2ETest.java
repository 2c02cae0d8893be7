package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.HttpBytes;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/** Allowed requests reach the central server byte for byte and come back intact; denied ones never leave. */
class GatewayForwardingE2ETest {

    private static final String RULES = """
            rules:
              - name: central-api
                methods: [GET, POST, PUT]
                paths: ["/api/**"]
                headers: [X-Custom, X-Bar, X-Foo]   # X-Foo: allowed, yet removed when Connection names it
            """;

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200)
            .withHeader("X-Upstream", "yes").withBody("from central"));

    private static TestSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), RULES));
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    @Test
    void getArrivesWithUpstreamHostViaAndRequestId() throws Exception {
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                "GET /api/tasks?id=3 HTTP/1.1\r\nHost: sluice.internal:8080\r\nX-Custom: kept\r\nAccept: */*\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("from central");
        assertThat(response.header("X-Upstream")).isEqualTo("yes");
        String requestId = response.header("X-Sluice-Request-Id");
        assertThat(requestId).isNotBlank();

        LoggedRequest seen = onlyRequest();
        assertThat(seen.getUrl()).isEqualTo("/api/tasks?id=3");
        assertThat(seen.getMethod().getName()).isEqualTo("GET");
        assertThat(seen.getHeader("Host")).isEqualTo("127.0.0.1:" + central.getPort());
        assertThat(seen.getHeader("Via")).isEqualTo("1.1 sluice");
        assertThat(seen.getHeader("X-Sluice-Request-Id")).isEqualTo(requestId);
        assertThat(seen.getHeader("X-Custom")).isEqualTo("kept");
        assertThat(seen.getBody()).isEmpty();
    }

    @Test
    void postBodyArrivesByteExactAndTheResponseBodyComesBackIntact() throws Exception {
        byte[] requestBody = HttpBytes.randomBytes(64 << 10, 1);
        byte[] responseBody = HttpBytes.randomBytes(300 << 10, 2);
        central.stubFor(any(urlPathEqualTo("/api/upload")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/octet-stream").withBody(responseBody)));

        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(), HttpBytes.request(
                "POST /api/upload HTTP/1.1\r\nHost: sluice\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: " + requestBody.length + "\r\n\r\n", requestBody));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.body()).isEqualTo(responseBody);
        assertThat(response.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(response.header("X-Sluice-Request-Id")).isNotBlank();
        LoggedRequest seen = onlyRequest();
        assertThat(seen.getBody()).isEqualTo(requestBody);
        assertThat(seen.getHeader("Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void oneMebibyteBodyFromAnOrdinaryClientArrivesByteExact() throws Exception {
        // 1 MiB is exactly the default maxRequestBodyBytes: allowed.
        byte[] body = HttpBytes.randomBytes(1 << 20, 3);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
                        URI.create(sluice.gatewayUrl() + "/api/datasets/7/upload"))
                .timeout(Duration.ofSeconds(20))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).asString().isEqualTo("from central");
        assertThat(response.headers().firstValue("X-Sluice-Request-Id")).isPresent();
        LoggedRequest seen = onlyRequest();
        assertThat(seen.getMethod().getName()).isEqualTo("PUT");
        assertThat(seen.getBody()).isEqualTo(body);
    }

    @Test
    void chunkedBodyArrivesByteExact() throws Exception {
        byte[] body = HttpBytes.randomBytes(100_000, 4);

        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(), HttpBytes.request(
                "POST /api/results HTTP/1.1\r\nHost: sluice\r\nTransfer-Encoding: chunked\r\n\r\n",
                HttpBytes.chunked(body, 4096)));

        assertThat(response.status()).isEqualTo(200);
        assertThat(onlyRequest().getBody()).isEqualTo(body);
    }

    @Test
    void chunkExtensionsDoNotChangeTheForwardedBody() throws Exception {
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                "POST /api/results HTTP/1.1\r\nHost: sluice\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(onlyRequest().getBodyAsString()).isEqualTo("hello world");
    }

    @Test
    void trailerFieldsAreRefusedAndNothingLeaves() throws Exception {
        // Trailers would be headers that no rule's header allowlist has seen.
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                "POST /api/results HTTP/1.1\r\nHost: sluice\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n");

        assertThat(response.status()).isEqualTo(400);
        assertThat((String) response.json().get("reason")).contains("trailer fields");
        central.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void deniedRequestGetsTheErrorContractAndNothingLeaves() throws Exception {
        byte[] secret = HttpBytes.ascii("patient-records=42");
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(), HttpBytes.request(
                "POST /exfiltrate HTTP/1.1\r\nHost: sluice\r\nContent-Length: " + secret.length + "\r\n\r\n", secret));

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.header("X-Sluice-Error")).isEqualTo("denied");
        assertThat(response.header("Content-Type")).startsWith("application/json");
        String requestId = response.header("X-Sluice-Request-Id");
        Map<String, Object> json = response.json();
        assertThat(json).containsEntry("error", "denied").containsEntry("requestId", requestId);
        assertThat((String) json.get("reason")).isNotBlank();
        central.verify(0, anyRequestedFor(anyUrl()));
        assertThat(central.getAllServeEvents()).isEmpty();
    }

    @Test
    void methodNotInTheRuleIsDenied() throws Exception {
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                "DELETE /api/tasks/1 HTTP/1.1\r\nHost: sluice\r\n\r\n");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.header("X-Sluice-Error")).isEqualTo("denied");
        central.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void keepAliveClientCanSendRequestsAfterARefusal() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("GET /admin HTTP/1.1\r\nHost: sluice\r\n\r\n");
            assertThat(connection.readResponse().status()).isEqualTo(403);
            connection.send("GET /api/after-refusal HTTP/1.1\r\nHost: sluice\r\n\r\n");
            RawResponse second = connection.readResponse();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.bodyText()).isEqualTo("from central");
        }
        assertThat(onlyRequest().getUrl()).isEqualTo("/api/after-refusal");
    }

    @Test
    void http10ClientWithoutKeepAliveGetsAnUnchunkedResponseAndAClose() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("GET /api/legacy HTTP/1.0\r\nHost: sluice\r\n\r\n");
            RawResponse response = connection.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.chunked()).isFalse();
            assertThat(response.header("Transfer-Encoding")).isNull();
            assertThat(response.bodyText()).isEqualTo("from central");
            assertThat(response.header("X-Sluice-Request-Id")).isNotBlank();
            assertThat(connection.closedByPeerWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(onlyRequest().getUrl()).isEqualTo("/api/legacy");
    }

    @Test
    void http10KeepAliveClientGetsUnchunkedResponses() throws Exception {
        // WireMock answers chunked; a 1.0 client cannot read chunks, so Sluice must send the body raw.
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("GET /api/legacy/1 HTTP/1.0\r\nHost: sluice\r\nConnection: keep-alive\r\n\r\n");
            RawResponse response = connection.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.chunked()).isFalse();
            assertThat(response.bodyText()).isEqualTo("from central");
            if (response.header("Content-Length") == null) {
                // Without a length the end of the body can only be marked by closing.
                assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            }
        }
    }

    @Test
    void http10KeepAliveIsKeptWhenTheLengthIsKnown() throws Exception {
        central.stubFor(get(urlPathEqualTo("/api/sized")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Length", "5").withBody("sized")));
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            for (int i = 0; i < 3; i++) {
                connection.send("GET /api/sized HTTP/1.0\r\nHost: sluice\r\nConnection: keep-alive\r\n\r\n");
                RawResponse response = connection.readResponse();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.chunked()).isFalse();
                assertThat(response.bodyText()).isEqualTo("sized");
                assertThat(response.header("Connection")).isEqualToIgnoringCase("keep-alive");
            }
        }
        assertThat(CentralServer.received(central)).hasSize(3);
    }

    @Test
    void requestHeadersNeitherDefaultNorListedByTheRuleAreStripped() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice direct = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES))) {
            RawResponse response = RawHttpConnection.exchange(direct.gatewayPort(), """
                    GET /api/headers HTTP/1.1\r
                    Host: sluice.internal\r
                    Accept: application/json\r
                    Authorization: Bearer algorithm-token\r
                    X-Custom: listed\r
                    X-Exfil: c2VjcmV0IHJvd3MgZnJvbSB0aGUgZGF0YXNldA==\r
                    Cookie: session=abc\r
                    Via: 1.1 somewhere-else\r
                    \r
                    """);

            assertThat(response.status()).isEqualTo(200);
            RecordingUpstream.Received seen = upstream.received().get(0);
            assertThat(seen.header("Accept")).isEqualTo("application/json");
            assertThat(seen.header("Authorization")).isEqualTo("Bearer algorithm-token");
            assertThat(seen.header("X-Custom")).isEqualTo("listed");
            assertThat(seen.headers("X-Exfil")).isEmpty();
            assertThat(seen.headers("Cookie")).isEmpty();
            // The client's own Via is not in the allowlist either: only Sluice's hop is named.
            assertThat(seen.headers("Via")).containsExactly("1.1 sluice");
        }
    }

    @Test
    void hopByHopHeadersDoNotReachTheUpstream() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice direct = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES))) {
            RawResponse response = RawHttpConnection.exchange(direct.gatewayPort(), """
                    GET /api/hop HTTP/1.1\r
                    Host: sluice.internal\r
                    Connection: keep-alive, X-Foo\r
                    X-Foo: connection-scoped\r
                    Keep-Alive: timeout=5, max=100\r
                    TE: trailers\r
                    Trailer: X-Checksum\r
                    Proxy-Authorization: Basic c2VjcmV0OnNlY3JldA==\r
                    Proxy-Connection: keep-alive\r
                    X-Bar: end-to-end\r
                    \r
                    """);

            assertThat(response.status()).isEqualTo(200);
            assertThat(upstream.received()).hasSize(1);
            RecordingUpstream.Received seen = upstream.received().get(0);
            assertThat(seen.uri()).isEqualTo("/api/hop");
            assertThat(seen.header("X-Bar")).isEqualTo("end-to-end");
            assertThat(seen.headers("Host")).containsExactly("127.0.0.1:" + upstream.port());
            for (String hopByHop : List.of("X-Foo", "Keep-Alive", "TE", "Trailer",
                    "Proxy-Authorization", "Proxy-Connection")) {
                assertThat(seen.headers(hopByHop)).as(hopByHop).isEmpty();
            }
            // Sluice may keep its own upstream connection alive, but never passes on the client's list.
            assertThat(seen.headers("Connection")).allSatisfy(value -> assertThat(value).doesNotContainIgnoringCase("x-foo"));
            assertThat(seen.headers("Via")).containsExactly("1.1 sluice");
            assertThat(seen.header("X-Sluice-Request-Id")).isEqualTo(response.header("X-Sluice-Request-Id"));
        }
    }

    @Test
    void headersNamedInASecondConnectionLineAreRemovedToo() throws Exception {
        // Connection may be sent as several lines; their tokens form one list (RFC 9110 5.3, 7.6.1).
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice direct = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES))) {
            RawResponse response = RawHttpConnection.exchange(direct.gatewayPort(), """
                    GET /api/hop HTTP/1.1\r
                    Host: sluice.internal\r
                    Connection: keep-alive\r
                    Connection: X-Hop-Secret\r
                    X-Hop-Secret: for-the-next-hop-only\r
                    \r
                    """);

            assertThat(response.status()).isEqualTo(200);
            assertThat(upstream.received()).singleElement()
                    .satisfies(seen -> assertThat(seen.headers("X-Hop-Secret")).isEmpty());
        }
    }

    @Test
    void sequentialKeepAliveRequestsShareAPooledUpstreamConnection() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice pooled = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES));
             RawHttpConnection connection = RawHttpConnection.open(pooled.gatewayPort())) {
            for (int i = 0; i < 20; i++) {
                connection.send("GET /api/poll/" + i + " HTTP/1.1\r\nHost: sluice\r\n\r\n");
                RawResponse response = connection.readResponse();
                assertThat(response.status()).as("request %d", i).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo("ok");
            }

            assertThat(upstream.received()).hasSize(20);
            assertThat(upstream.received()).extracting(RecordingUpstream.Received::uri)
                    .containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> "/api/poll/" + i).toList());
            assertThat(upstream.connectionsAccepted()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void separateClientConnectionsStillReusePooledUpstreamConnections() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice pooled = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES))) {
            for (int i = 0; i < 12; i++) {
                RawResponse response = RawHttpConnection.exchange(pooled.gatewayPort(),
                        "GET /api/fresh/" + i + " HTTP/1.1\r\nHost: sluice\r\n\r\n");
                assertThat(response.status()).isEqualTo(200);
            }

            assertThat(upstream.received()).hasSize(12);
            // One pool per event loop: at most one idle connection per loop is needed for sequential requests.
            assertThat(upstream.connectionsAccepted()).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void upstreamThatClosesAfterEachResponseIsNotReused() throws Exception {
        // With a length the client connection stays open while each upstream connection is closed after use.
        central.stubFor(get(urlPathEqualTo("/api/closing")).willReturn(aResponse().withStatus(200)
                .withHeader("Connection", "close").withHeader("Content-Length", "3").withBody("bye")));
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            for (int i = 0; i < 5; i++) {
                connection.send("GET /api/closing HTTP/1.1\r\nHost: sluice\r\n\r\n");
                RawResponse response = connection.readResponse();
                assertThat(response.status()).as("request %d: %s", i, response).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo("bye");
            }
        }
        assertThat(CentralServer.received(central)).hasSize(5);
    }

    @Test
    void responseDelimitedByCloseReachesTheClientWhole() throws Exception {
        // No length and no chunks: the body ends when the central server closes, so Sluice must close too.
        central.stubFor(get(urlPathEqualTo("/api/until-close")).willReturn(aResponse().withStatus(200)
                .withHeader("Connection", "close").withBody("all of it")));
        for (int i = 0; i < 3; i++) {
            try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
                connection.send("GET /api/until-close HTTP/1.1\r\nHost: sluice\r\n\r\n");
                RawResponse response = connection.readResponse();

                assertThat(response.status()).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo("all of it");
                assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            }
        }
        assertThat(CentralServer.received(central)).hasSize(3);
    }

    @Test
    void clientConnectionCloseIsHonoured() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("GET /api/last HTTP/1.1\r\nHost: sluice\r\nConnection: close\r\n\r\n");
            RawResponse response = connection.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(connection.closedByPeerWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void concurrentClientsEachGetTheirOwnBodyThroughAndEveryRequestIsAudited() throws Exception {
        int clients = 24;
        int perClient = 5;
        try (RecordingUpstream upstream = RecordingUpstream.start();
             TestSluice busy = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES))) {
            ExecutorService threads = Executors.newFixedThreadPool(clients);
            try {
                List<CompletableFuture<Void>> running = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    int client = c;
                    running.add(CompletableFuture.runAsync(() -> sendOwnBodies(busy.gatewayPort(), client, perClient),
                            threads));
                }
                CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            } finally {
                threads.shutdownNow();
            }

            assertThat(upstream.received()).hasSize(clients * perClient);
            for (RecordingUpstream.Received seen : upstream.received()) {
                String[] parts = seen.uri().split("/");   // /api/c/<client>/<n>
                byte[] expected = bodyOf(Integer.parseInt(parts[3]), Integer.parseInt(parts[4]));
                assertThat(seen.body()).as(seen.uri()).isEqualTo(expected);
            }
            assertThat(upstream.received()).extracting(RecordingUpstream.Received::uri).doesNotHaveDuplicates();
            assertThat(busy.awaitAudit(clients * perClient)).hasSize(clients * perClient)
                    .allSatisfy(r -> assertThat(r).containsEntry("status", 200L));
        }
    }

    private static void sendOwnBodies(int port, int client, int count) {
        try (RawHttpConnection connection = RawHttpConnection.open(port)) {
            for (int n = 0; n < count; n++) {
                byte[] body = bodyOf(client, n);
                connection.send(HttpBytes.request("POST /api/c/" + client + "/" + n + " HTTP/1.1\r\nHost: s\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n", body));
                RawResponse response = connection.readResponse();
                if (response.status() != 200) {
                    throw new AssertionError("client " + client + " request " + n + ": " + response);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bodyOf(int client, int n) {
        return HttpBytes.randomBytes(1000 + 997 * client + n, client * 1000L + n);
    }

    private static LoggedRequest onlyRequest() {
        List<LoggedRequest> received = CentralServer.received(central);
        assertThat(received).hasSize(1);
        return received.get(0);
    }
}
