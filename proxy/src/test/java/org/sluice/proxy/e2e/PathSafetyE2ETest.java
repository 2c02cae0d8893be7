package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestSluice;

/**
 * Rules allow only /api/**. Request targets are sent verbatim; whatever the spelling, nothing outside /api/
 * reaches the central server, and what does reach it is exactly the normalised path the policy checked.
 */
class PathSafetyE2ETest {

    private static final int MAX_URL = 200;
    private static final int MAX_HEADERS = 2048;

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200).withBody("api"));

    private static TestSluice sluice;

    @BeforeAll
    static void start() throws Exception {
        sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), """
                limits:
                  maxUrlBytes: %d
                  maxHeaderBytes: %d
                rules:
                  - name: central-api
                    methods: [GET, POST]
                    paths: ["/api/**"]
                """.formatted(MAX_URL, MAX_HEADERS)));
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/api/../admin | 403 | denied",
            "/api/%2e%2e/admin | 403 | denied",
            "/api/%2E%2E/admin | 403 | denied",
            "/api/.%2e/admin | 403 | denied",
            "/api/.. | 403 | denied",
            "/api/x/../../admin | 403 | denied",
            "/apix/../admin | 403 | denied",
            "/api%2fadmin | 400 | bad_request",
            "/api%2Fadmin | 400 | bad_request",
            "/api/..%2fadmin | 400 | bad_request",
            "/api/..%2Fadmin | 400 | bad_request",
            "/api/%00 | 400 | bad_request",
            "/api/x%00/../../admin | 400 | bad_request",
            "/api/%5c..%5cadmin | 400 | bad_request",
            "/api\\..\\admin | 400 | bad_request",
            "/api/../../etc/passwd | 400 | bad_request",
            "/api/%ff | 400 | bad_request",
            "/api/%c0%ae%c0%ae/admin | 400 | bad_request",
            "/api/%G1 | 400 | bad_request",
            "/api/x% | 400 | bad_request",
            "/api/%0d%0aX-Injected:%20yes | 400 | bad_request",
            "/api/%7f | 400 | bad_request",
    })
    void refusedSpellingsNeverReachTheCentralServer(String target, int status, String error) throws Exception {
        assertRefused(get(target), status, error);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/api/./x//y | /api/x/y",
            "/api/a/b/../c | /api/a/c",
            "/api/%2e/x | /api/x",
            "//api///x | /api/x",
            "/admin/../api/x | /api/x",
            "/api/%7Euser/%41b%2d | /api/~user/Ab-",
            "/api/%e2%82%ac | /api/%E2%82%AC",
            "/api/a%20b | /api/a%20b",
            "/api/%3f | /api/%3F",
            "/api | /api",
            "/api/ | /api/",
            "/api/./q?b=%2F..&a=1%202&c=/../admin | /api/q?b=%2F..&a=1%202&c=/../admin",
            "/api/./q?a=%00&b=%2e%2e&c=%2F | /api/q?a=%00&b=%2e%2e&c=%2F",
    })
    void allowedSpellingsArriveAtExactlyTheNormalisedPath(String target, String forwarded) throws Exception {
        assertForwardedAs(get(target), forwarded);
    }

    @Test
    void targetOfExactlyMaxUrlBytesPassesAndOneMoreGets414() throws Exception {
        String exact = targetOfLength(MAX_URL);
        String over = targetOfLength(MAX_URL + 1);

        assertForwardedAs(get(exact), exact);

        central.resetRequests();
        assertRefused(get(over), 414, "url_too_long");
    }

    @Test
    void farTooLongTargetGets414() throws Exception {
        assertRefused(get("/api/" + "x".repeat(20_000)), 414, "url_too_long");
    }

    @Test
    void headersOverMaxHeaderBytesGet431AndHeadersWithinPass() throws Exception {
        RawResponse within = RawHttpConnection.exchange(sluice.gatewayPort(),
                "GET /api/h HTTP/1.1\r\nHost: sluice\r\nX-Big: " + "a".repeat(MAX_HEADERS / 2) + "\r\n\r\n");
        assertForwardedAs(within, "/api/h");

        central.resetRequests();
        RawResponse over = RawHttpConnection.exchange(sluice.gatewayPort(),
                "GET /api/h HTTP/1.1\r\nHost: sluice\r\nX-Big: " + "a".repeat(MAX_HEADERS + 1) + "\r\n\r\n");
        assertRefused(over, 431, "headers_too_large");
    }

    @Test
    void manySmallHeadersOverMaxHeaderBytesGet431() throws Exception {
        StringBuilder head = new StringBuilder("GET /api/h HTTP/1.1\r\nHost: sluice\r\n");
        // Well over the limit even when line ends are not counted (Netty's decoder counts header text only).
        for (int i = 0; head.length() < 2 * MAX_HEADERS; i++) {
            head.append("X-H").append(i).append(": v\r\n");
        }
        RawResponse over = RawHttpConnection.exchange(sluice.gatewayPort(), head.append("\r\n").toString());

        assertRefused(over, 431, "headers_too_large");
    }

    /** Answered by the central server, which received this one request at exactly {@code forwarded}. */
    private static void assertForwardedAs(RawResponse response, String forwarded) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("api");
        assertThat(CentralServer.received(central)).singleElement()
                .satisfies(seen -> assertThat(seen.getUrl()).isEqualTo(forwarded));
    }

    /** Refused with the error contract, and nothing reached the central server. */
    private static void assertRefused(RawResponse response, int status, String error) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("X-Sluice-Error")).isEqualTo(error);
        assertThat(response.json()).containsEntry("error", error);
        central.verify(0, anyRequestedFor(anyUrl()));
        assertThat(central.getAllServeEvents()).isEmpty();
    }

    /** An allowed request-target of exactly {@code length} bytes, query included. */
    private static String targetOfLength(int length) {
        String prefix = "/api/long?q=";
        return prefix + "x".repeat(length - prefix.length());
    }

    private static RawResponse get(String target) throws Exception {
        return RawHttpConnection.exchange(sluice.gatewayPort(), "GET " + target + " HTTP/1.1\r\nHost: sluice\r\n\r\n");
    }
}
