package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sluice.policy.RequestHeader;
import org.sluice.policy.RequestUrl;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/**
 * What {@code policy explain} and {@code policy test} say must be what a running gateway does: each request is
 * checked with {@link RequestCheck} and then sent, byte for byte, to a real Sluice; the status, the error code and
 * the headers the upstream received must match the prediction.
 */
class ExplainAgreesWithGatewayTest {

    private static RecordingUpstream upstream;
    private static TestSluice sluice;
    private static RequestCheck check;

    @BeforeAll
    static void start() throws Exception {
        upstream = RecordingUpstream.start();
        sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                limits:
                  maxUrlBytes: 64
                  maxHeaderBytes: 200
                rules:
                  - name: central-api
                    methods: [GET, POST]
                    paths: ["/api/**"]
                    query: [limit]
                    headers: [X-Request-Tag]
                """));
        check = new RequestCheck(ConfigLoader.load(sluice.configFile()));
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    static List<Object[]> requests() {
        String tag = "X-Request-Tag: a7";
        return List.of(
                new Object[] {"GET", "/api/tasks?limit=1", List.of(tag, "X-Debug: 1", "Accept: */*", "Cookie: s=1")},
                new Object[] {"POST", "/api//results/./7",
                    List.of(tag, "Content-Type: application/json", "Via: 1.0 elsewhere")},
                new Object[] {"GET", "/api/tasks?debug=1", List.of()},
                new Object[] {"POST", "/admin/export", List.of(tag)},
                new Object[] {"get", "/api/tasks", List.of()},
                new Object[] {"DELETE", "/api/tasks/7", List.of()},
                new Object[] {"GET", "/api/" + "a".repeat(59), List.of()},
                new Object[] {"GET", "/api/" + "a".repeat(60), List.of()},
                new Object[] {"GET", "/api/tasks", List.of("X-Padding: " + "p".repeat(200 - "X-Padding: ".length()
                        - "Host: sluice:8080".length()))},
                new Object[] {"GET", "/api/tasks", List.of("X-Padding: " + "p".repeat(201 - "X-Padding: ".length()
                        - "Host: sluice:8080".length()))},
                new Object[] {"GET", "/api%2Fadmin", List.of()},
                new Object[] {"GET", "/api/../../etc/passwd", List.of()},
                new Object[] {"GET", "/api/tasks#top", List.of()});
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("requests")
    void theGatewayDoesWhatTheCheckPredicts(String method, String target, List<String> headerLines)
            throws Exception {
        List<RequestHeader> headers = new ArrayList<>();
        headers.add(new RequestHeader("Host", "sluice:8080"));
        headerLines.forEach(line -> headers.add(RequestHeader.parse(line)));
        RequestCheck.Result predicted = check.check(method, RequestUrl.parse(target, check.gateway()), headers);
        int before = upstream.received().size();

        StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        headers.forEach(h -> request.append(h.name()).append(": ").append(h.value()).append("\r\n"));
        RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(), request.append("\r\n").toString());

        if (predicted.forwards()) {
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            List<RecordingUpstream.Received> received = upstream.received();
            assertThat(received).hasSize(before + 1);
            RecordingUpstream.Received got = received.get(before);
            assertThat(got.uri()).startsWith(predicted.path().path());
            for (RequestCheck.HeaderFate fate : predicted.headerFates()) {
                String name = fate.header().name();
                switch (fate.fate()) {
                    case FORWARDED -> assertThat(got.headers(name)).as(name).contains(fate.header().value());
                    case REPLACED -> assertThat(got.headers(name)).as(name).containsExactly(predicted.hostSent());
                    case STRIPPED, HANDLED_BY_SLUICE -> assertThat(got.headers(name)).as(name)
                            .doesNotContain(fate.header().value());
                }
            }
        } else {
            int status = predicted.refusal() != null ? predicted.refusal().status() : 403;
            String code = predicted.refusal() != null ? predicted.refusal().code() : "denied";
            assertThat(response.status()).as(response.toString()).isEqualTo(status);
            assertThat(response.header("X-Sluice-Error")).isEqualTo(code);
            assertThat(upstream.received()).hasSize(before);
        }
    }
}
