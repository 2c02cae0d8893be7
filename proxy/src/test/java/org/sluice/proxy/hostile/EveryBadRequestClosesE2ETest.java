package org.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.TestSluice;

/**
 * After any 400 the connection closes and nothing pipelined behind it is decided or forwarded: each kind of 400
 * Sluice makes, followed on the same connection by a request the policy allows, gets the 400 with
 * {@code Connection: close}, then the close; the upstream receives no bytes and the audit log holds one record.
 */
class EveryBadRequestClosesE2ETest {
    private static final String ALLOWED = "GET /api/allowed HTTP/1.1\r\nHost: s\r\n\r\n";

    @RegisterExtension
    final RecordedApiCentral central = new RecordedApiCentral();

    @ParameterizedTest(name = "gateway: {0}")
    @CsvSource(delimiter = '|', value = {
            "a CONNECT                 | CONNECT central.test:443 HTTP/1.1\\r\\nHost: central.test:443\\r\\n\\r\\n",
            "an absolute-form target   | GET http://s/api/x HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n",
            "a fragment                | GET /api/x#top HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n",
            "an ambiguous path         | GET /api%2fadmin HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n",
            "an unknown expectation    | GET /api/x HTTP/1.1\\r\\nHost: s\\r\\nExpect: later\\r\\n\\r\\n",
            "a Connection naming Host  | GET /api/x HTTP/1.1\\r\\nHost: s\\r\\nConnection: host\\r\\n\\r\\n",
    })
    void aGateway400ClosesAndTheAllowedRequestBehindItNeverLeaves(String what, String first) throws Exception {
        try (TestSluice sluice = central.gateway()) {
            assertClosedAfter400(sluice, sluice.gatewayPort(), List.of(), wire(first) + ALLOWED);
        }
    }

    @ParameterizedTest(name = "forward: {0}")
    @CsvSource(delimiter = '|', value = {
            "an origin-form target     | GET /api/x HTTP/1.1\\r\\nHost: central.test\\r\\n\\r\\n",
            "a Host naming another host | GET http://central.test:{port}/api/x HTTP/1.1\\r\\n"
                    + "Host: other.test\\r\\n\\r\\n",
            "a CONNECT after a request | GET http://central.test:{port}/api/x HTTP/1.1\\r\\n"
                    + "Host: central.test:{port}\\r\\n\\r\\n"
                    + "CONNECT central.test:443 HTTP/1.1\\r\\nHost: central.test:443\\r\\n\\r\\n",
    })
    void aForward400ClosesAndTheAllowedRequestBehindItNeverLeaves(String what, String first) throws Exception {
        String port = central.port();
        String allowed = "GET http://" + central.authority() + "/api/allowed HTTP/1.1\r\nHost: " + central.authority()
                + "\r\n\r\n";
        List<Integer> before = what.contains("after a request") ? List.of(200) : List.of();
        try (TestSluice sluice = central.forward()) {
            assertClosedAfter400(sluice, sluice.forwardPort(), before, wire(first).replace("{port}", port) + allowed);
        }
    }

    /** Sends {@code wire}: {@code before} are the statuses ahead of the 400, each forwarded once, nothing after. */
    private void assertClosedAfter400(TestSluice sluice, int port, List<Integer> before, String wire)
            throws Exception {
        try (RawHttpConnection client = RawHttpConnection.open(port)) {
            client.send(wire);
            for (int status : before) {
                assertThat(client.readResponse().status()).isEqualTo(status);
            }
            RecordedApiCentral.assertBadRequestThenClosed(client, client.readResponse());
        }
        List<Map<String, Object>> records = sluice.awaitAudit(before.size() + 1);
        assertThat(records).as("one record per request Sluice decided: the allowed one behind the 400 was not")
                .hasSize(before.size() + 1);
        int forwarded = 0;
        for (byte[] stream : central.streams()) {
            String text = new String(stream, StandardCharsets.ISO_8859_1);
            assertThat(text).as("the upstream never saw the request behind the 400").doesNotContain("/api/allowed");
            forwarded += text.isEmpty() ? 0 : 1;
        }
        assertThat(forwarded).as("upstream connections that received bytes").isEqualTo(before.size());
    }

    private static String wire(String escaped) {
        return escaped.replace("\\r\\n", "\r\n");
    }
}
