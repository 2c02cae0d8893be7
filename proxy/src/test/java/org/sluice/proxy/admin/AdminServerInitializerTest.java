package org.sluice.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;
import org.sluice.policy.Policy;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.proxy.metrics.SluiceMetrics;

class AdminServerInitializerTest {

    private final SluiceMetrics metrics = new SluiceMetrics();
    private final AtomicReference<List<String>> notReady = new AtomicReference<>(List.of());
    private final AtomicReference<Policy> policy = new AtomicReference<>(policy("enforce", 1));
    private final EmbeddedChannel channel = new EmbeddedChannel();

    AdminServerInitializerTest() {
        new AdminServerInitializer(metrics, notReady::get, policy::get).configure(channel.pipeline());
    }

    private static Policy policy(String mode, int rules) {
        StringBuilder yaml = new StringBuilder("""
                version: 1
                mode: %s
                gateway: {listen: 127.0.0.1:0, upstream: http://localhost:1}
                audit: {path: audit.jsonl}
                rules:
                """.formatted(mode));
        for (int i = 0; i < rules; i++) {
            yaml.append("  - {name: r").append(i).append(", methods: [GET], paths: [\"/r").append(i).append("\"]}\n");
        }
        try {
            return Policy.compile(ConfigLoader.parse(yaml.toString(), Path.of("sluice.yaml")));
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
    }

    /** A response as bytes on the wire: status, headers (lower-case names) and body. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private List<Response> exchange(String rawRequests) {
        channel.writeInbound(Unpooled.copiedBuffer(rawRequests, StandardCharsets.US_ASCII));
        StringBuilder wire = new StringBuilder();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            wire.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return parse(wire.toString());
    }

    private Response get(String target) {
        List<Response> responses = exchange("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(responses).hasSize(1);
        return responses.get(0);
    }

    private static List<Response> parse(String wire) {
        List<Response> out = new ArrayList<>();
        int at = 0;
        while (at < wire.length()) {
            int headEnd = wire.indexOf("\r\n\r\n", at);
            assertThat(headEnd).as("complete response head in %s", wire).isPositive();
            String[] lines = wire.substring(at, headEnd).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            int bodyStart = headEnd + 4;
            String body = wire.substring(bodyStart, Math.min(wire.length(), bodyStart + length));
            out.add(new Response(status, headers, body));
            at = bodyStart + body.length();
        }
        return out;
    }

    @Test
    void healthzAnswersOk() {
        Response r = get("/healthz");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok\n");
        assertThat(r.header("content-type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(r.header("content-length")).isEqualTo("3");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void queryStringsAreIgnored() {
        assertThat(get("/healthz?verbose=1").status()).isEqualTo(200);
        assertThat(get("/readyz?x").status()).isEqualTo(200);
        assertThat(get("/metrics?name[]=sluice").status()).isEqualTo(200);
    }

    @Test
    void readyzIsOkWhenNothingIsMissingAndNamesThePolicyInForce() {
        Response r = get("/readyz");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ready\npolicy: " + policy.get().hash() + "\nrules: 1\nmode: enforce\n");
    }

    @Test
    void readyzShowsTheCurrentPolicyAfterASwap() {
        Policy reloaded = policy("report", 3);
        policy.set(reloaded);

        Response r = get("/readyz");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().lines()).containsExactly("ready", "policy: " + reloaded.hash(), "rules: 3",
                "mode: report");
    }

    @Test
    void readyzIs503AndSaysWhatIsNotReady() {
        notReady.set(List.of("audit log not writable", "policy not loaded"));

        Response r = get("/readyz");

        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body().lines()).containsExactly("not ready:", "- audit log not writable", "- policy not loaded",
                "policy: " + policy.get().hash(), "rules: 1", "mode: enforce");
        assertThat(channel.isOpen()).isTrue();

        notReady.set(List.of());
        assertThat(get("/readyz").status()).as("asked again on every request").isEqualTo(200);
    }

    @Test
    void metricsServesThePrometheusTextFormat() {
        metrics.requestFinished("gateway", "deny", 403, 1_000_000, 0, 0);

        Response r = get("/metrics");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body())
                .contains("sluice_requests_total{code=\"403\",decision=\"deny\",listener=\"gateway\"} 1.0")
                .contains("jvm_memory_used_bytes");
        assertThat(Integer.parseInt(r.header("content-length")))
                .isEqualTo(r.body().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void unknownPathsAre404() {
        assertThat(get("/").status()).isEqualTo(404);
        assertThat(get("/healthz/").status()).isEqualTo(404);
        assertThat(get("/metrics.txt").status()).isEqualTo(404);
        assertThat(get("/HEALTHZ").status()).isEqualTo(404);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void otherMethodsOnKnownPathsAre405() {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            List<Response> rs = exchange(method + " /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertThat(rs).hasSize(1);
            assertThat(rs.get(0).status()).as(method).isEqualTo(405);
            assertThat(rs.get(0).header("allow")).isEqualTo("GET, HEAD");
        }
    }

    @Test
    void headAnswersHeadersWithoutABody() {
        channel.writeInbound(Unpooled.copiedBuffer("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.US_ASCII));
        StringBuilder wire = new StringBuilder();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            wire.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }

        assertThat(wire.toString()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n")
                .containsIgnoringCase("content-length: 3\r\n");
    }

    @Test
    void keepsTheConnectionForPipelinedRequests() {
        List<Response> rs = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(rs).extracting(Response::status).containsExactly(200, 404, 200);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void closesWhenTheClientAsks() {
        List<Response> rs = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        assertThat(rs).hasSize(1);
        assertThat(rs.get(0).header("connection")).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void http10KeepsAliveOnlyWhenAsked() {
        List<Response> rs = exchange("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(rs.get(0).header("connection")).isEqualToIgnoringCase("keep-alive");
        assertThat(channel.isOpen()).isTrue();

        exchange("GET /healthz HTTP/1.0\r\n\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aMalformedRequestIs400AndCloses() {
        List<Response> rs = exchange("GET /healthz HTTP/1.1\r\nHost x no colon\r\nBad\u0001Header: 1\r\n\r\n");

        assertThat(rs).hasSize(1);
        assertThat(rs.get(0).status()).isEqualTo(400);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestBodyOverTheSmallLimitIsRefused() {
        List<Response> rs = exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + (AdminServerInitializer.MAX_REQUEST_BODY_BYTES + 1) + "\r\n\r\n");

        assertThat(rs).hasSize(1);
        assertThat(rs.get(0).status()).isEqualTo(413);
    }

    @Test
    void anIdleConnectionIsClosed() {
        channel.freezeTime();
        assertThat(get("/healthz").status()).isEqualTo(200);

        channel.advanceTimeBy(AdminServerInitializer.READ_TIMEOUT_SECONDS - 1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void pathOfDropsQueryAndFragment() {
        assertThat(AdminRequestHandler.pathOf("/metrics?a=b#c")).isEqualTo("/metrics");
        assertThat(AdminRequestHandler.pathOf("/readyz#top")).isEqualTo("/readyz");
        assertThat(AdminRequestHandler.pathOf("/healthz")).isEqualTo("/healthz");
        assertThat(AdminRequestHandler.pathOf("?")).isEmpty();
    }
}
