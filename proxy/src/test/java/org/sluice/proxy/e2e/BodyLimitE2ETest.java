package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.HttpBytes;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestSluice;

/** maxRequestBodyBytes: refused before a byte leaves, exactly at the limit and one byte over, per rule. */
class BodyLimitE2ETest {

    private static final int LIMIT = 1000;
    private static final int UPLOAD_LIMIT = 5000;

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200).withBody("stored"));

    private static TestSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), """
                limits:
                  maxRequestBodyBytes: %d
                rules:
                  - name: uploads
                    methods: [POST, PUT]
                    paths: ["/upload/**"]
                    limits: { maxRequestBodyBytes: %d }
                  - name: central-api
                    methods: [GET, POST, PUT]
                    paths: ["/api/**"]
                """.formatted(LIMIT, UPLOAD_LIMIT)));
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    @Test
    void declaredLengthOverTheLimitIsRefusedBeforeTheBodyIsSent() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            // Only the head: the 413 must come without waiting for a body.
            connection.send("POST /api/results HTTP/1.1\r\nHost: sluice\r\nContent-Length: " + (LIMIT + 1) + "\r\n\r\n");
            RawResponse response = connection.readResponse();

            assertBodyTooLarge(response);
        }
        central.verify(0, anyRequestedFor(anyUrl()));
    }

    @ParameterizedTest(name = "{0} with Content-Length {1}")
    @CsvSource({"/api/results, 1000, 200", "/api/results, 1001, 413", "/upload/blob, 1001, 200",
                "/upload/blob, 5000, 200", "/upload/blob, 5001, 413", "/api/results, 0, 200"})
    void contentLengthAtTheLimitPassesAndOneByteMoreIsRefused(String path, int size, int expected) throws Exception {
        byte[] body = HttpBytes.randomBytes(size, size);

        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(), HttpBytes.request(
                "POST " + path + " HTTP/1.1\r\nHost: sluice\r\nContent-Length: " + size + "\r\n\r\n", body));

        assertForwardedOrRefused(response, expected, body);
    }

    @ParameterizedTest(name = "{0} chunked, {1} bytes")
    @CsvSource({"/api/results, 1000, 200", "/api/results, 1001, 413", "/upload/blob, 5000, 200",
                "/upload/blob, 5001, 413", "/api/results, 100000, 413"})
    void chunkedBodyAtTheLimitPassesAndOneByteMoreIsRefused(String path, int size, int expected) throws Exception {
        byte[] body = HttpBytes.randomBytes(size, size + 7);

        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(), HttpBytes.request(
                "POST " + path + " HTTP/1.1\r\nHost: sluice\r\nTransfer-Encoding: chunked\r\n\r\n",
                HttpBytes.chunked(body, 300)));

        assertForwardedOrRefused(response, expected, body);
    }

    @Test
    void expectContinueIsAnsweredWhenPolicyAndLimitAllow() throws Exception {
        byte[] body = HttpBytes.ascii("within the limit");
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("POST /api/results HTTP/1.1\r\nHost: sluice\r\nExpect: 100-continue\r\nContent-Length: "
                    + body.length + "\r\n\r\n");
            RawResponse interim = connection.readResponse();
            assertThat(interim.status()).isEqualTo(100);
            central.verify(0, anyRequestedFor(anyUrl()));

            connection.send(body);
            RawResponse response = connection.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("stored");
        }
        assertThat(CentralServer.received(central)).singleElement()
                .satisfies(seen -> assertThat(seen.getBody()).isEqualTo(body));
    }

    @Test
    void expectContinueWithAChunkedBodyIsAnsweredAndTheBodyArrives() throws Exception {
        byte[] body = HttpBytes.randomBytes(900, 9);
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("POST /api/results HTTP/1.1\r\nHost: sluice\r\nExpect: 100-continue\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            assertThat(connection.readResponse().status()).isEqualTo(100);

            connection.send(HttpBytes.chunked(body, 256));

            assertThat(connection.readResponse().status()).isEqualTo(200);
        }
        assertThat(CentralServer.received(central)).singleElement()
                .satisfies(seen -> assertThat(seen.getBody()).isEqualTo(body));
    }

    @Test
    void expectContinueToADeniedPathGets403WithoutA100() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("POST /admin/import HTTP/1.1\r\nHost: sluice\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n");
            RawResponse response = connection.readResponse();

            assertThat(response.status()).isEqualTo(403);
            assertThat(response.header("X-Sluice-Error")).isEqualTo("denied");
        }
        central.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void expectContinueOverTheLimitGets413WithoutA100() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send("POST /api/results HTTP/1.1\r\nHost: sluice\r\nExpect: 100-continue\r\nContent-Length: "
                    + (LIMIT + 1) + "\r\n\r\n");
            RawResponse response = connection.readResponse();

            assertBodyTooLarge(response);
        }
        central.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void refusedBodyIsNotTakenForTheNextRequest() throws Exception {
        // After a 413 the unread body must never be parsed as a request: Sluice closes the connection.
        byte[] smuggled = HttpBytes.ascii("GET /api/smuggled HTTP/1.1\r\nHost: sluice\r\n\r\n");
        byte[] padding = new byte[LIMIT + 1 - smuggled.length];
        java.util.Arrays.fill(padding, (byte) 'x');
        byte[] body = new byte[LIMIT + 1];
        System.arraycopy(padding, 0, body, 0, padding.length);
        System.arraycopy(smuggled, 0, body, padding.length, smuggled.length);
        try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
            connection.send(HttpBytes.request("POST /api/results HTTP/1.1\r\nHost: sluice\r\nContent-Length: "
                    + body.length + "\r\n\r\n", body));
            assertBodyTooLarge(connection.readResponse());
            assertThat(connection.closedByPeerWithin(Duration.ofSeconds(5))).isTrue();
        }
        central.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aClientThatSendsItsWholeOversizeBodyBeforeReadingStillGetsThe413() throws Exception {
        // Like most HTTP clients (the JDK's among them): the whole body is written before the response is read.
        // Closing at once would reset the connection and lose the 413; Sluice reads and discards the rest first.
        byte[] body = new byte[4 << 20];
        for (int attempt = 0; attempt < 5; attempt++) {
            try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
                connection.send(HttpBytes.request("POST /api/results HTTP/1.1\r\nHost: sluice\r\nContent-Length: "
                        + body.length + "\r\n\r\n", body));
                assertBodyTooLarge(connection.readResponse());
                assertThat(connection.closedByPeerWithin(Duration.ofSeconds(5))).isTrue();
            }
        }
        central.verify(0, anyRequestedFor(anyUrl()));
    }

    private static void assertForwardedOrRefused(RawResponse response, int expected, byte[] body) {
        if (expected == 200) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(CentralServer.received(central)).singleElement()
                    .satisfies(seen -> assertThat(seen.getBody()).isEqualTo(body));
        } else {
            assertBodyTooLarge(response);
            central.verify(0, anyRequestedFor(anyUrl()));
            assertThat(central.getAllServeEvents()).isEmpty();
        }
    }

    private static void assertBodyTooLarge(RawResponse response) {
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.header("X-Sluice-Error")).isEqualTo("body_too_large");
        assertThat(response.json()).containsEntry("error", "body_too_large")
                .containsEntry("requestId", response.header("X-Sluice-Request-Id"));
    }
}
