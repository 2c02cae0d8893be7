package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.ScriptedUpstream;
import org.sluice.proxy.testing.TestSluice;

/** A central server that answers with something that is not HTTP gets the client a 502, never the garbage. */
class MalformedUpstreamE2ETest {

    private static final String RULES = """
            rules:
              - name: central-api
                methods: [GET]
                paths: ["/api/**"]
            """;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "this is not http\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello",
        "HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nhello",
        "HTTP/1.1 999 hello\r\nContent-Length: 0\r\n\r\n",
    })
    void malformedResponseGets502AndIsAudited(String answer) throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.answering(answer);
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES))) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/tasks HTTP/1.1\r\nHost: s\r\n\r\n");

            assertThat(upstream.requests()).isEqualTo(1);
            assertThat(response.status()).as(response.toString()).isEqualTo(502);
            assertThat(response.header("X-Sluice-Error")).isEqualTo("upstream_failed");
            assertThat(response.bodyText()).doesNotContain("hello").doesNotContain("not http");
            Map<String, Object> record = sluice.awaitAudit(1).get(0);
            assertThat(record).containsEntry("status", 502L).containsEntry("error", "upstream_failed");
        }
    }

    @Test
    void brokenChunkAfterTheHeadClosesTheClientConnectionAndIsAudited() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.answering(
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES));
             Socket client = new Socket("127.0.0.1", sluice.gatewayPort())) {
            client.setSoTimeout(5_000);
            client.getOutputStream().write("GET /api/tasks HTTP/1.1\r\nHost: s\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            String received = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(received).as("the connection ends without the garbage").doesNotContain("hello");
            Map<String, Object> record = sluice.awaitAudit(1).get(0);
            assertThat(record).containsEntry("error", "upstream_malformed").containsEntry("respBytes", 0L);
        }
    }

    @Test
    void aValidResponseArrivesWithItsFieldsAsSentBarTheHopByHopOnes() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.answering("HTTP/1.1 200 Fine Thanks\r\nX-A:b\r\n"
                     + "Set-Cookie: a=1\r\nConnection: X-Hop\r\nX-Hop: 1\r\nSet-Cookie: b=2\r\nX-Pad:  p  \r\n"
                     + "Content-Length: 2\r\n\r\nok");
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), RULES))) {
            RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                    "GET /api/tasks HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n");

            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.reason()).isEqualTo("Fine Thanks");
            assertThat(response.header("X-A")).isEqualTo("b");
            assertThat(response.header("X-Pad")).isEqualTo("p");
            assertThat(response.headers("Set-Cookie")).containsExactly("a=1", "b=2");
            assertThat(response.header("X-Hop")).as("named by Connection: hop-by-hop").isNull();
            assertThat(response.header("X-Sluice-Request-Id")).isNotBlank();
            assertThat(response.bodyText()).isEqualTo("ok");
            assertThat(sluice.awaitAudit(1).get(0)).containsEntry("status", 200L).containsEntry("respBytes", 2L);
        }
    }
}
