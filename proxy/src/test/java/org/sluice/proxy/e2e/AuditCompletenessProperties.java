package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.HttpBytes;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestSluice;

/**
 * The audit log against the upstream, over random mixes of allowed, denied, oversize, chunked and aborted
 * requests: every request the upstream received has exactly one record with its method, path, body size and
 * SHA-256, every answer the client got has a record with that status, and no request has two records.
 */
class AuditCompletenessProperties {

    private static final int LIMIT = 4096;

    enum Kind { ALLOWED_GET, ALLOWED_POST, CHUNKED_POST, DENIED, OVERSIZE, ABORTED }

    private static RecordingUpstream upstream;
    private static TestSluice sluice;

    @BeforeContainer
    static void start() throws Exception {
        upstream = RecordingUpstream.start();
        sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                limits:
                  maxRequestBodyBytes: %d
                rules:
                  - name: api
                    methods: [GET, POST]
                    paths: ["/api/**"]
                """.formatted(LIMIT)));
    }

    @AfterContainer
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Provide
    Arbitrary<List<Kind>> mixes() {
        return Arbitraries.of(Kind.values()).list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 60)
    void everyForwardedRequestAndEveryAnswerHasExactlyOneMatchingRecord(@ForAll("mixes") List<Kind> mix,
                                                                        @ForAll long seed) throws Exception {
        Random random = new Random(seed);
        int upstreamBefore = upstream.received().size();
        Map<String, Integer> statusById = new HashMap<>();
        for (Kind kind : mix) {
            RawResponse response = send(kind, random);
            if (response != null) {
                statusById.put(response.header("X-Sluice-Request-Id"), response.status());
            }
        }
        List<RecordingUpstream.Received> all = upstream.received();
        List<RecordingUpstream.Received> forwarded = all.subList(upstreamBefore, all.size());
        List<String> ids = new ArrayList<>(statusById.keySet());
        forwarded.forEach(r -> ids.add(r.header("X-Sluice-Request-Id")));
        List<Map<String, Object>> records = Await.until(sluice::audit,
                rs -> ids.stream().allMatch(id -> rs.stream().anyMatch(r -> id.equals(r.get("id")))),
                Duration.ofSeconds(10), "a record for every answered or forwarded request");

        for (RecordingUpstream.Received seen : forwarded) {
            List<Map<String, Object>> mine = withId(records, seen.header("X-Sluice-Request-Id"));
            assertThat(mine).as("records for forwarded %s %s", seen.method(), seen.uri()).hasSize(1);
            Map<String, Object> record = mine.get(0);
            assertThat(record.get("method")).isEqualTo(seen.method());
            assertThat(record.get("path")).isEqualTo(seen.uri());
            assertThat(((Number) record.get("reqBytes")).longValue()).isEqualTo(seen.body().length);
            assertThat(record.get("reqSha256")).isEqualTo(sha256(seen.body()));
        }
        statusById.forEach((id, status) -> {
            List<Map<String, Object>> mine = withId(records, id);
            assertThat(mine).as("records for answered request %s", id).hasSize(1);
            assertThat(((Number) mine.get(0).get("status")).intValue()).isEqualTo(status);
        });
        assertThat(records.stream().map(r -> r.get("id")).distinct().count()).isEqualTo(records.size());
    }

    private static RawResponse send(Kind kind, Random random) throws IOException {
        int port = sluice.gatewayPort();
        switch (kind) {
            case ALLOWED_GET:
                return RawHttpConnection.exchange(port, "GET /api/get/" + random.nextInt(100)
                        + " HTTP/1.1\r\nHost: s\r\n\r\n");
            case ALLOWED_POST: {
                byte[] body = bytes(random, random.nextInt(LIMIT + 1));
                return RawHttpConnection.exchange(port, HttpBytes.request("POST /api/post HTTP/1.1\r\nHost: s\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n", body));
            }
            case CHUNKED_POST: {
                byte[] body = bytes(random, 1 + random.nextInt(LIMIT));
                String hex = Integer.toHexString(body.length);
                byte[] head = HttpBytes.ascii("POST /api/chunked HTTP/1.1\r\nHost: s\r\nTransfer-Encoding: chunked"
                        + "\r\n\r\n" + hex + "\r\n");
                byte[] tail = HttpBytes.ascii("\r\n0\r\n\r\n");
                byte[] request = new byte[head.length + body.length + tail.length];
                System.arraycopy(head, 0, request, 0, head.length);
                System.arraycopy(body, 0, request, head.length, body.length);
                System.arraycopy(tail, 0, request, head.length + body.length, tail.length);
                return RawHttpConnection.exchange(port, request);
            }
            case DENIED:
                return RawHttpConnection.exchange(port, "GET /admin/export HTTP/1.1\r\nHost: s\r\n\r\n");
            case OVERSIZE: {
                byte[] body = bytes(random, LIMIT + 1 + random.nextInt(5000));
                return RawHttpConnection.exchange(port, HttpBytes.request("POST /api/post HTTP/1.1\r\nHost: s\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n", body));
            }
            default: {
                // Aborted: the client announces a body, sends part of it and hangs up without a response.
                try (RawHttpConnection connection = RawHttpConnection.open(port)) {
                    connection.send(HttpBytes.request("POST /api/post HTTP/1.1\r\nHost: s\r\nContent-Length: "
                            + LIMIT + "\r\n\r\n", bytes(random, random.nextInt(LIMIT))));
                }
                return null;
            }
        }
    }

    private static byte[] bytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static List<Map<String, Object>> withId(List<Map<String, Object>> records, String id) {
        return records.stream().filter(r -> id.equals(r.get("id"))).toList();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
