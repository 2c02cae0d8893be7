package org.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.ScriptedUpstream;
import org.sluice.proxy.testing.TestSluice;

/**
 * Request smuggling through hop-by-hop stripping: a Connection header that names a header Sluice frames, routes or
 * decides by (Content-Length, Transfer-Encoding, Host, Expect) would have that header stripped on the way upstream
 * while the body still went, unframed, so the upstream read a request hidden in the body that Sluice never decided
 * on. Each is a 400 and a close, on the gateway and on the forward listener, and the upstream receives not one byte.
 */
class ConnectionHeaderSmugglingE2ETest {
    /** The request hidden in the body of an allowed POST: denied by the policy, so it must never be sent. */
    static final String HIDDEN = "GET /admin/export HTTP/1.1\r\nHost: s\r\n\r\n";

    @RegisterExtension
    final RecordedApiCentral central = new RecordedApiCentral();

    @ParameterizedTest(name = "gateway: {0}")
    @CsvSource(delimiter = '|', value = {
            "Connection: content-length                        | cl",
            "Connection: keep-alive, Content-Length            | cl",
            "Connection: CONTENT-LENGTH                        | cl",
            "Connection: keep-alive;Connection: content-length | cl",
            "Connection: transfer-encoding                     | chunked",
            "Connection: close,Transfer-Encoding               | chunked",
            "Connection: host                                  | cl",
            "Connection: Expect;Expect: 100-continue           | cl",
    })
    void aConnectionTokenNamingAFramingOrRoutingHeaderIsRefusedAtTheGateway(String connection, String framing)
            throws Exception {
        try (TestSluice sluice = central.gateway()) {
            String request = "POST /api/upload HTTP/1.1\r\nHost: s\r\n" + lines(connection) + body(framing);
            refusedAndNothingLeft(sluice, sluice.gatewayPort(), request);
        }
    }

    @ParameterizedTest(name = "forward: {0}")
    @CsvSource(delimiter = '|', value = {
            "Connection: content-length                        | cl",
            "Connection: keep-alive, Content-Length            | cl",
            "Connection: keep-alive;Connection: content-length | cl",
            "Connection: transfer-encoding                     | chunked",
            "Connection: host                                  | cl",
            "Connection: Expect;Expect: 100-continue           | cl",
    })
    void aConnectionTokenNamingAFramingOrRoutingHeaderIsRefusedAtTheForwardListener(String connection,
                                                                                    String framing) throws Exception {
        try (TestSluice sluice = central.forward()) {
            String authority = central.authority();
            String request = "POST http://" + authority + "/api/upload HTTP/1.1\r\nHost: " + authority + "\r\n"
                    + lines(connection) + body(framing);
            refusedAndNothingLeft(sluice, sluice.forwardPort(), request);
        }
    }

    @ParameterizedTest(name = "response: {0}")
    @CsvSource(delimiter = '|', value = {
            "Connection: content-length | Content-Length: 5\\r\\n\\r\\nhello",
            "Connection: Transfer-Encoding, close | Transfer-Encoding: chunked\\r\\n\\r\\n"
                    + "5\\r\\nhello\\r\\n0\\r\\n\\r\\n",
    })
    void aResponseWhoseConnectionNamesItsFramingHeaderIsRelayedWithItsFramingIntact(String connection, String rest)
            throws Exception {
        String answer = "HTTP/1.1 200 OK\r\n" + connection + "\r\n" + rest.replace("\\r\\n", "\r\n");
        try (ScriptedUpstream scripted = ScriptedUpstream.answering(answer);
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(scripted.url(), RecordedApiCentral.RULES));
             RawHttpConnection client = RawHttpConnection.open(sluice.gatewayPort())) {
            for (int i = 0; i < 2; i++) {
                RawResponse response = client.send("GET /api/tasks HTTP/1.1\r\nHost: s\r\n\r\n").readResponse();
                assertThat(response.status()).as(response.toString()).isEqualTo(200);
                assertThat(response.header("Content-Length") != null || response.chunked())
                        .as("framed: %s", response).isTrue();
                assertThat(response.bodyText()).isEqualTo("hello");
            }
            assertThat(scripted.requests()).isEqualTo(2);
        }
    }

    private void refusedAndNothingLeft(TestSluice sluice, int port, String request) throws Exception {
        try (RawHttpConnection client = RawHttpConnection.open(port)) {
            RawResponse response = client.send(request).readResponse();
            while (response.status() == 100) {
                response = client.readResponse();
            }
            RecordedApiCentral.assertBadRequestThenClosed(client, response);
            assertThat((String) response.json().get("reason")).containsIgnoringCase("Connection");
        }
        Map<String, Object> record = sluice.awaitAudit(1).get(0);
        assertThat(record).containsEntry("status", 400L);
        assertThat(record.get("upstream")).as("nothing was dialled").isNull();
        assertThat(central.streams()).as("the upstream received no bytes at all")
                .allSatisfy(stream -> assertThat(stream).isEmpty());
    }

    /** The corpus's line separator: ';' between header lines, each ending in CRLF. */
    private static String lines(String headers) {
        StringBuilder text = new StringBuilder();
        for (String line : headers.split(";")) {
            text.append(line.trim()).append("\r\n");
        }
        return text.toString();
    }

    /** The framing header, the blank line and a body that is the hidden request. */
    private static String body(String framing) {
        if (framing.equals("chunked")) {
            return "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(HIDDEN.length()) + "\r\n" + HIDDEN
                    + "\r\n0\r\n\r\n";
        }
        return "Content-Length: " + HIDDEN.length() + "\r\n\r\n" + HIDDEN;
    }
}
