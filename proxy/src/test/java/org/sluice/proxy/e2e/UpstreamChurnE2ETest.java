package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.testing.HttpBytes;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.ScriptedUpstream;
import org.sluice.proxy.testing.TestSluice;

/**
 * A central server that closes after every answer makes Sluice discard and
 * reopen an upstream connection per request, on the same event loop, many times a second. None of them may fail.
 */
class UpstreamChurnE2ETest {

    private static final int CLIENTS = 8;
    private static final int REQUESTS_PER_CLIENT = 60;
    private static final int ATTEMPTS = 5;

    @Test
    void everyRequestSucceedsWhenTheUpstreamClosesAfterEachAnswer() throws Exception {
        byte[] body = HttpBytes.randomBytes(64 << 10, 7);
        byte[] request = HttpBytes.request("POST /api/upload HTTP/1.1\r\nHost: s\r\nContent-Length: " + body.length
                + "\r\n\r\n", body);
        try (ScriptedUpstream upstream = ScriptedUpstream.answering(
                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                     rules:
                       - name: uploads
                         methods: [POST]
                         paths: ["/api/**"]
                     """))) {
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<List<Integer>>> results = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    results.add(clients.submit(() -> {
                        List<Integer> statuses = new ArrayList<>();
                        for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                            statuses.add(RawHttpConnection.exchange(sluice.gatewayPort(), request).status());
                        }
                        return statuses;
                    }));
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<List<Integer>> result : results) {
                    statuses.addAll(result.get(60, TimeUnit.SECONDS));
                }
                assertThat(statuses).as("statuses; the failures as audited: %s", failures(sluice))
                        .hasSize(CLIENTS * REQUESTS_PER_CLIENT).containsOnly(200);
            } finally {
                clients.shutdownNow();
                assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
            List<Map<String, Object>> audit = sluice.awaitAudit(CLIENTS * REQUESTS_PER_CLIENT);
            assertThat(audit).allSatisfy(record -> assertThat(record).containsEntry("status", 200L));
        }
    }

    @Test
    void anAnswerSentBeforeTheBodyWasReadReachesTheClient() throws Exception {
        // The server answers after the head and closes without reading the body: Sluice's writes then fail
        // (broken pipe), but the answer is already on its way and is what the client must get.
        byte[] body = HttpBytes.randomBytes(4 << 20, 8);
        try (ScriptedUpstream upstream = ScriptedUpstream.answeringBeforeTheBody(
                     "HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\nConnection: close\r\n\r\nno, ta.");
             TestSluice sluice = TestSluice.start(TestSluice.gatewayYaml(upstream.url(), """
                     limits:
                       maxRequestBodyBytes: 8MiB
                     rules:
                       - name: uploads
                         methods: [POST]
                         paths: ["/api/**"]
                     """))) {
            // Whether the answer or the broken pipe is seen first varies; five tries make a regression show.
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                RawResponse response;
                try (RawHttpConnection connection = RawHttpConnection.open(sluice.gatewayPort())) {
                    // Like curl, the client reads while it is still sending, so it sees an early answer.
                    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                        try {
                            connection.send(HttpBytes.request("POST /api/upload HTTP/1.1\r\nHost: s\r\n"
                                    + "Content-Length: " + body.length + "\r\n\r\n", body));
                        } catch (IOException cutOff) {
                            // expected once Sluice has answered and closed
                        }
                    });
                    response = connection.readResponse();
                    sending.get(10, TimeUnit.SECONDS);
                }
                assertThat(response.status()).as("attempt %d: %s", attempt, response).isEqualTo(403);
                assertThat(response.bodyText()).isEqualTo("no, ta.");
                assertThat(response.header("X-Sluice-Error")).isNull();
            }
            assertThat(sluice.awaitAudit(ATTEMPTS)).allSatisfy(r -> assertThat(r).containsEntry("status", 403L));
        }
    }

    private static List<Object> failures(TestSluice sluice) {
        return sluice.audit().stream().filter(r -> !Long.valueOf(200).equals(r.get("status")))
                .map(r -> r.get("status") + " " + r.get("reason")).distinct().limit(5).map(Object.class::cast).toList();
    }
}
