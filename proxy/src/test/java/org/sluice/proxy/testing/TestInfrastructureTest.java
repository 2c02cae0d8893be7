package org.sluice.proxy.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The e2e tests trust these helpers, and WireMock's request journal as {@link CentralServer} configures it, to
 * show what the upstream really received; this checks them directly, without Sluice in between.
 */
class TestInfrastructureTest {

    @TempDir
    static Path folder;

    private static final TestCa ca = TestCa.createInTemporaryFolder();

    @RegisterExtension
    static final WireMockExtension wireMock = CentralServer.https(ca.serverKeyStore(),
            aResponse().withStatus(200).withBody("hello from wiremock"));

    @Test
    void wireMockJournalKeepsTheRequestTargetAndBodyAsSent() throws Exception {
        byte[] body = HttpBytes.randomBytes(3000, 7);
        RawResponse response = RawHttpConnection.exchange(wireMock.getPort(), HttpBytes.request(
                "POST /api/%7Euser/x?b=%2F..&a=1%202 HTTP/1.1\r\nHost: h\r\nContent-Length: 3000\r\n\r\n", body));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("hello from wiremock");
        List<LoggedRequest> seen = wireMock.findAll(anyRequestedFor(anyUrl()));
        assertThat(seen).hasSize(1);
        // Not decoded, not normalised: the e2e tests can compare forwarded paths against it exactly.
        assertThat(seen.get(0).getUrl()).isEqualTo("/api/%7Euser/x?b=%2F..&a=1%202");
        assertThat(seen.get(0).getBody()).isEqualTo(body);
    }

    @Test
    void rawClientDecodesChunkedResponsesAndKeepsHeaders() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(wireMock.getPort())) {
            for (int i = 0; i < 3; i++) {
                connection.send("GET /chunked/" + i + " HTTP/1.1\r\nHost: h\r\n\r\n");
                RawResponse response = connection.readResponse();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.chunked()).as("CentralServer answers chunked").isTrue();
                assertThat(response.bodyText()).isEqualTo("hello from wiremock");
                assertThat(response.headers("content-type")).hasSizeLessThanOrEqualTo(1);
            }
        }
        assertThat(wireMock.getAllServeEvents()).hasSize(3);
    }

    @Test
    void chunkedEncodingRoundTripsThroughARealServer() throws Exception {
        byte[] body = HttpBytes.randomBytes(10_000, 11);
        RawResponse response = RawHttpConnection.exchange(wireMock.getPort(), HttpBytes.request(
                "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", HttpBytes.chunked(body, 777)));

        assertThat(response.status()).isEqualTo(200);
        assertThat(wireMock.getAllServeEvents().get(0).getRequest().getBody()).isEqualTo(body);
    }

    @Test
    void testCaCertificateIsAcceptedForLocalhostAndTheIpAddress() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext()).version(HttpClient.Version.HTTP_1_1).build();
        for (String host : List.of("localhost", "127.0.0.1")) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("https://" + host + ":" + wireMock.getHttpsPort() + "/tls")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        }
        assertThat(Files.readString(ca.caPem(), StandardCharsets.US_ASCII)).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void recordingUpstreamCountsConnectionsAndRecordsRequestsVerbatim() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start()) {
            try (RawHttpConnection connection = RawHttpConnection.open(upstream.port())) {
                for (int i = 0; i < 3; i++) {
                    connection.send("GET /a/./b?q=%2F HTTP/1.1\r\nHost: x\r\nX-Foo: " + i + "\r\n\r\n");
                    assertThat(connection.readResponse().bodyText()).isEqualTo("ok");
                }
            }
            RawHttpConnection.exchange(upstream.port(), "GET /other HTTP/1.0\r\n\r\n");

            assertThat(upstream.connectionsAccepted()).isEqualTo(2);
            assertThat(upstream.received()).hasSize(4);
            assertThat(upstream.received().get(0).uri()).isEqualTo("/a/./b?q=%2F");
            assertThat(upstream.received().get(2).header("x-foo")).isEqualTo("2");
        }
    }

    @Test
    void jsonLinesReadsObjectsWithNullsAndNumbers() throws Exception {
        Path file = folder.resolve("lines.jsonl");
        Files.writeString(file, "{\"a\":1,\"b\":null,\"c\":\"x\",\"d\":[true,2.5]}\n\n{\"a\":2}\n");

        List<Map<String, Object>> lines = JsonLines.read(file);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).containsEntry("a", 1L).containsEntry("b", null).containsEntry("c", "x")
                .containsEntry("d", List.of(true, 2.5));
        assertThat(lines.get(1)).containsOnlyKeys("a");
    }
}
