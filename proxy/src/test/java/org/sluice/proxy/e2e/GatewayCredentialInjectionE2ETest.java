package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.LogCapture;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestSluice;

/** gateway.upstream.headers: the node's credential is added by Sluice, so the algorithm never holds it. */
class GatewayCredentialInjectionE2ETest {

    private static final String RULES = """
            rules:
              - name: central-api
                methods: [GET]
                paths: ["/api/**"]
            """;

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200).withBody("ok"));

    @TempDir
    Path folder;

    @Test
    void theTokenFileReplacesTheAlgorithmsAuthorizationAndAChangeIsPickedUp() throws Exception {
        Path token = folder.resolve("central-token");
        Files.writeString(token, "node-secret-1\n");
        String yaml = upstream("""
                    headers:
                      Authorization: {file: %s, prefix: "Bearer "}
                      X-Node: node-7
                """.formatted(token));
        try (LogCapture logs = LogCapture.all();
             TestSluice sluice = TestSluice.start(yaml)) {
            RawResponse first = get(sluice, "Authorization: Bearer algorithm-own\r\nX-Node: forged\r\n");
            assertThat(first.status()).isEqualTo(200);
            LoggedRequest seen = CentralServer.received(central).get(0);
            assertThat(seen.getHeaders().getHeader("Authorization").values()).containsExactly("Bearer node-secret-1");
            assertThat(seen.getHeaders().getHeader("X-Node").values()).containsExactly("node-7");

            Files.writeString(token, "node-secret-2-rotated\n");
            // A file rewritten within the same second keeps its mtime on some file systems; the size differs anyway.
            Files.setLastModifiedTime(token, FileTime.from(Instant.now().plusSeconds(5)));
            Await.until(() -> {
                try {
                    get(sluice, "");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                List<LoggedRequest> all = CentralServer.received(central);
                return "Bearer node-secret-2-rotated".equals(all.get(all.size() - 1).getHeader("Authorization"));
            }, Duration.ofSeconds(5), "the rotated token to be sent");

            String audit = sluice.auditText();
            assertThat(audit).isNotEmpty().doesNotContain("node-secret").doesNotContain("algorithm-own");
            assertThat(String.join("\n", logs.warnings())).doesNotContain("node-secret");
        }
    }

    @Test
    void clientAuthorizationForwardKeepsTheAlgorithmsOwnHeader() throws Exception {
        String yaml = upstream("""
                    headers:
                      X-Api-Key: literal-key
                    clientAuthorization: forward
                """);
        try (TestSluice sluice = TestSluice.start(yaml)) {
            assertThat(get(sluice, "Authorization: Bearer algorithm-own\r\n").status()).isEqualTo(200);

            LoggedRequest seen = CentralServer.received(central).get(0);
            assertThat(seen.getHeader("Authorization")).isEqualTo("Bearer algorithm-own");
            assertThat(seen.getHeader("X-Api-Key")).isEqualTo("literal-key");
            assertThat(sluice.auditText()).doesNotContain("literal-key");
        }
    }

    @Test
    void clientAuthorizationStripRemovesItEvenWhenNothingReplacesIt() throws Exception {
        try (TestSluice sluice = TestSluice.start(upstream("    clientAuthorization: strip\n"))) {
            assertThat(get(sluice, "Authorization: Bearer algorithm-own\r\n").status()).isEqualTo(200);

            assertThat(CentralServer.received(central).get(0).containsHeader("Authorization")).isFalse();
        }
    }

    @Test
    void withoutHeadersTheAlgorithmsAuthorizationIsForwardedAsBefore() throws Exception {
        try (TestSluice sluice = TestSluice.start(upstream(""))) {
            assertThat(get(sluice, "Authorization: Bearer algorithm-own\r\n").status()).isEqualTo(200);

            assertThat(CentralServer.received(central).get(0).getHeader("Authorization"))
                    .isEqualTo("Bearer algorithm-own");
        }
    }

    private static String upstream(String more) {
        return TestSluice.gatewayYaml("\n    url: " + CentralServer.httpUrl(central) + "\n" + more.stripTrailing(),
                RULES);
    }

    private static RawResponse get(TestSluice sluice, String headers) throws Exception {
        return RawHttpConnection.exchange(sluice.gatewayPort(), "GET /api/x HTTP/1.1\r\nHost: sluice\r\n" + headers
                + "\r\n");
    }
}
