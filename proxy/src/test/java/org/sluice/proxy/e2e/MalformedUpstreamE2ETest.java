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
}
