package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.audit.AuditChain;
import org.sluice.proxy.audit.SigningKeys;
import org.sluice.proxy.testing.AuditChains;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.HttpBytes;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestSluice;

/** What a real Sluice writes: one chain with its identity, signed at stop; no header value, no query in clear. */
class AuditChainE2ETest {

    private static final String RULES = """
            limits:
              maxRequestBodyBytes: 100
            rules:
              - name: central-api
                methods: [GET, POST]
                paths: ["/api/**"]
            """;
    private static final List<String> SECRETS = List.of("S3CR3T-BEARER-4d1c", "S3CR3T-COOKIE-9a7e",
            "S3CR3T-PROXY-AUTH-2b6f", "S3CR3T-API-KEY-77c0", "S3CR3T-CUSTOM-e3a1", "S3CR3T-QUERY-5f2d");

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200).withBody("ok"));

    @TempDir
    Path keys;

    private static String secretHeaders() {
        return "Authorization: Bearer S3CR3T-BEARER-4d1c\r\n"
                + "Cookie: session=S3CR3T-COOKIE-9a7e; theme=dark\r\n"
                + "Proxy-Authorization: Basic S3CR3T-PROXY-AUTH-2b6f\r\n"
                + "X-Api-Key: S3CR3T-API-KEY-77c0\r\n"
                + "X-S3CR3T-CUSTOM-e3a1: S3CR3T-CUSTOM-e3a1\r\n";
    }

    /** An allowed GET, a denied GET and an oversize POST, each with every kind of secret. */
    private static void sendWithSecrets(TestSluice sluice) throws Exception {
        String query = "?token=S3CR3T-QUERY-5f2d&page=2";
        assertThat(RawHttpConnection.exchange(sluice.gatewayPort(), "GET /api/tasks" + query + " HTTP/1.1\r\n"
                + "Host: sluice\r\n" + secretHeaders() + "\r\n").status()).isEqualTo(200);
        assertThat(RawHttpConnection.exchange(sluice.gatewayPort(), "GET /admin/users" + query + " HTTP/1.1\r\n"
                + "Host: sluice\r\n" + secretHeaders() + "\r\n").status()).isEqualTo(403);
        assertThat(RawHttpConnection.exchange(sluice.gatewayPort(), HttpBytes.request("POST /api/upload" + query
                + " HTTP/1.1\r\nHost: sluice\r\n" + secretHeaders() + "Content-Length: 101\r\n\r\n", new byte[101]))
                .status()).isEqualTo(413);
    }

    @Test
    void noHeaderValueAndNoQueryEverReachesTheAuditFile() throws Exception {
        for (String query : List.of("drop", "hash")) {
            String yaml = TestSluice.gatewayYaml(CentralServer.httpUrl(central), "  query: " + query + "\n" + RULES);
            try (TestSluice sluice = TestSluice.start(yaml)) {
                sendWithSecrets(sluice);
                sluice.awaitAudit(3);

                String text = sluice.auditText();
                for (String secret : SECRETS) {
                    assertThat(text).as("audit.query: %s", query).doesNotContain(secret);
                }
                assertThat(text).doesNotContainIgnoringCase("bearer").doesNotContain("session=")
                        .doesNotContainIgnoringCase("x-api-key");
            }
        }
        // The secrets did travel: the allowed request reached the central server with its headers.
        List<LoggedRequest> received = CentralServer.received(central);
        assertThat(received).isNotEmpty();
        assertThat(received.get(0).getHeader("Authorization")).isEqualTo("Bearer S3CR3T-BEARER-4d1c");
    }

    @Test
    void withQueryHashEachRecordCarriesTheSha256OfItsQueryAndOtherwiseNothing() throws Exception {
        String hashing = TestSluice.gatewayYaml(CentralServer.httpUrl(central), "  query: hash\n" + RULES);
        try (TestSluice sluice = TestSluice.start(hashing)) {
            RawHttpConnection.exchange(sluice.gatewayPort(), "GET /api/a?x=1&y=%20z HTTP/1.1\r\nHost: s\r\n\r\n");
            RawHttpConnection.exchange(sluice.gatewayPort(), "GET /api/b HTTP/1.1\r\nHost: s\r\n\r\n");
            RawHttpConnection.exchange(sluice.gatewayPort(), "GET /nope?x=1&y=%20z HTTP/1.1\r\nHost: s\r\n\r\n");

            Map<Object, Map<String, Object>> byPath = byPath(sluice.awaitAudit(3));
            // Expected value from `printf '%s' 'x=1&y=%20z' | sha256sum`, computed outside the code under test.
            String expected = "d0f96e8dee876770deff2375b2bcd9314bdee5ed43cf35facac1aa521e620cee";
            assertThat(byPath.get("/api/a").get("querySha256")).isEqualTo(expected);
            assertThat(byPath.get("/nope").get("querySha256")).isEqualTo(expected);
            assertThat(byPath.get("/api/b")).containsEntry("querySha256", null);
        }
        try (TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(CentralServer.httpUrl(central), RULES))) {
            RawHttpConnection.exchange(sluice.gatewayPort(), "GET /api/a?x=1 HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(sluice.awaitAudit(1).get(0)).doesNotContainKey("querySha256");
        }
    }

    private static Map<Object, Map<String, Object>> byPath(List<Map<String, Object>> records) {
        return records.stream().collect(java.util.stream.Collectors.toMap(r -> r.get("path"), r -> r));
    }

    @Test
    void aRunWritesOneChainUnderItsIdentityAndSignsItAtStop() throws Exception {
        var pair = SigningKeys.generate();
        Path keyFile = keys.resolve("audit-signing.key");
        SigningKeys.write(pair, keyFile, keys.resolve("audit-signing.pub"));
        PublicKey publicKey = SigningKeys.readPublic(keys.resolve("audit-signing.pub"));
        String yaml = TestSluice.gatewayYaml(CentralServer.httpUrl(central), """
                  job: job-e2e-1
                  node: node-e2e
                  signing:
                    keyFile: %s
                """.formatted(keyFile) + RULES);
        try (TestSluice sluice = TestSluice.start(yaml)) {
            for (String path : List.of("/api/one", "/admin/two", "/api/three")) {
                RawResponse response = RawHttpConnection.exchange(sluice.gatewayPort(),
                        "GET " + path + " HTTP/1.1\r\nHost: s\r\n\r\n");
                assertThat(response.status()).isIn(200, 403);
            }
            sluice.awaitAudit(3);
            sluice.server().close(); // a clean stop; the folder stays until the TestSluice closes

            List<String> lines = AuditChains.lines(sluice.auditFile());
            List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(lines, "node-e2e");
            assertThat(chain).hasSize(4);
            assertThat(chain.subList(0, 3)).extracting(r -> r.get("path"))
                    .containsExactlyInAnyOrder("/api/one", "/admin/two", "/api/three");
            assertThat(chain).allSatisfy(r -> assertThat(r).containsEntry("job", "job-e2e-1")
                    .containsEntry("node", "node-e2e"));
            Map<String, Object> checkpoint = chain.get(3);
            assertThat(checkpoint).containsEntry("type", "checkpoint")
                    .containsEntry("keyId", AuditChain.keyId(publicKey))
                    .containsEntry("prev", chain.get(2).get("hash"));
            assertThat(AuditChain.verify(publicKey, (String) checkpoint.get("prev"),
                    Base64.getDecoder().decode((String) checkpoint.get("sig")))).isTrue();
        }
    }
}
