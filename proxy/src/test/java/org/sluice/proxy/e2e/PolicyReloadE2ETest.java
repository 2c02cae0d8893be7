package org.sluice.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sluice.proxy.reload.PolicyReloader;
import org.sluice.proxy.reload.ReloadOutcome;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.CentralServer;
import org.sluice.proxy.testing.LogCapture;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.TestSluice;

/**
 * The policy is reloaded from its file while Sluice runs: decisions change, the audit names the policy that took
 * each one, and a bad or restart-only change leaves the running policy alone.
 */
class PolicyReloadE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** /probe is allowed by A and denied by B; /export the other way round; /api by both. */
    private static final String POLICY_A = """
            rules:
              - name: api
                methods: [GET]
                paths: ["/api/**"]
              - name: probe
                methods: [GET]
                paths: ["/probe/**"]
            """;
    private static final String POLICY_B = """
            rules:
              - name: api
                methods: [GET]
                paths: ["/api/**"]
              - name: export
                methods: [GET]
                paths: ["/export/**"]
            """;

    @RegisterExtension
    static final WireMockExtension central = CentralServer.http(aResponse().withStatus(200).withBody("central"));

    private static String config(String rules) {
        return TestSluice.gatewayYaml(CentralServer.httpUrl(central), rules);
    }

    private static RawResponse get(TestSluice sluice, String path) throws IOException {
        return RawHttpConnection.exchange(sluice.gatewayPort(), "GET " + path + " HTTP/1.1\r\nHost: sluice\r\n\r\n");
    }

    private static String admin(TestSluice sluice, String path) {
        try {
            RawResponse response = RawHttpConnection.exchange(sluice.adminPort(),
                    "GET " + path + " HTTP/1.1\r\nHost: admin\r\n\r\n");
            return new String(response.body(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of the sample with exactly this name and label set, or empty. */
    private static OptionalDouble sample(String exposition, String nameAndLabels) {
        return exposition.lines().filter(line -> line.startsWith(nameAndLabels + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim()))
                .findFirst();
    }

    private static double reloads(TestSluice sluice, String result) {
        OptionalDouble value = sample(admin(sluice, "/metrics"), "sluice_policy_reloads_total{result=\"" + result + "\"}");
        assertThat(value).as("sluice_policy_reloads_total{result=%s}", result).isPresent();
        return value.getAsDouble();
    }

    private static Map<Object, Map<String, Object>> byId(List<Map<String, Object>> records) {
        return records.stream().collect(Collectors.toMap(r -> r.get("id"), Function.identity()));
    }

    private static String id(RawResponse response) {
        return response.header("X-Sluice-Request-Id");
    }

    @Test
    void editingTheFileSwapsThePolicyAndTheAuditNamesTheOneThatDecided() throws Exception {
        try (TestSluice sluice = TestSluice.start(config(POLICY_A))) {
            String hashA = sluice.server().policy().hash();
            sluice.server().watchConfig();
            RawResponse probeBefore = get(sluice, "/probe/1");
            RawResponse exportBefore = get(sluice, "/export/1");

            String hashB = sluice.replaceConfig(config(POLICY_B));
            Await.until(() -> sluice.server().policy().hash().equals(hashB), WAIT, "policy B in force");
            RawResponse probeAfter = get(sluice, "/probe/2");
            RawResponse exportAfter = get(sluice, "/export/2");

            assertThat(probeBefore.status()).isEqualTo(200);
            assertThat(exportBefore.status()).isEqualTo(403);
            assertThat(probeAfter.status()).isEqualTo(403);
            assertThat(probeAfter.header("X-Sluice-Error")).isEqualTo("denied");
            assertThat(exportAfter.status()).isEqualTo(200);
            Map<Object, Map<String, Object>> audit = byId(sluice.awaitAudit(4));
            assertThat(audit.get(id(probeBefore))).containsEntry("policy", hashA).containsEntry("decision", "allow");
            assertThat(audit.get(id(exportBefore))).containsEntry("policy", hashA).containsEntry("decision", "deny");
            assertThat(audit.get(id(probeAfter))).containsEntry("policy", hashB).containsEntry("decision", "deny");
            assertThat(audit.get(id(exportAfter))).containsEntry("policy", hashB).containsEntry("decision", "allow")
                    .containsEntry("rule", "export");
            assertThat(CentralServer.received(central)).extracting(LoggedRequest::getUrl)
                    .containsExactly("/probe/1", "/export/2");
            assertThat(admin(sluice, "/readyz").lines())
                    .containsExactly("ready", "policy: " + hashB, "rules: 2", "mode: enforce");
            String metrics = admin(sluice, "/metrics");
            assertThat(sample(metrics, "sluice_policy_info{hash=\"" + hashB + "\"}")).hasValue(1);
            assertThat(sample(metrics, "sluice_policy_info{hash=\"" + hashA + "\"}")).isEmpty();
            assertThat(reloads(sluice, "ok")).isEqualTo(1);
            assertThat(reloads(sluice, "error")).isZero();
        }
    }

    @Test
    void anInvalidEditKeepsThePolicyCountsAnErrorAndLogsWhereEachProblemIs() throws Exception {
        try (TestSluice sluice = TestSluice.start(config(POLICY_A));
             LogCapture log = LogCapture.of(PolicyReloader.class)) {
            String hashA = sluice.server().policy().hash();
            sluice.server().watchConfig();

            // Line 17 of the file: an unknown key in the second rule.
            sluice.replaceConfig(config(POLICY_B + "    colour: blue\n"));
            Await.until(() -> reloads(sluice, "error") == 1, WAIT, "the failed reload to be counted");
            RawResponse probe = get(sluice, "/probe/1");
            RawResponse export = get(sluice, "/export/1");

            assertThat(sluice.server().policy().hash()).isEqualTo(hashA);
            assertThat(probe.status()).isEqualTo(200);
            assertThat(export.status()).isEqualTo(403);
            assertThat(byId(sluice.awaitAudit(2)).values()).allSatisfy(r -> assertThat(r).containsEntry("policy", hashA));
            assertThat(reloads(sluice, "ok")).isZero();
            assertThat(admin(sluice, "/readyz")).startsWith("ready\npolicy: " + hashA + "\n");
            assertThat(log.warnings()).anySatisfy(line -> assertThat(line)
                    .startsWith(sluice.configFile() + ":17:5: ").contains("unknown key 'colour'"));
            assertThat(log.warnings()).anySatisfy(line -> assertThat(line)
                    .contains("policy NOT reloaded").contains(hashA + " stays in force"));
        }
    }

    @Test
    void aNewListenAddressKeepsTheWholeOldPolicyAndSaysARestartIsNeeded() throws Exception {
        try (TestSluice sluice = TestSluice.start(config(POLICY_A));
             LogCapture log = LogCapture.of(PolicyReloader.class)) {
            String hashA = sluice.server().policy().hash();
            // The gateway's listen line comes first; the admin's stays.
            sluice.replaceConfig(config(POLICY_B).replaceFirst("listen: 127\\.0\\.0\\.1:0", "listen: 127.0.0.1:18080"));

            ReloadOutcome outcome = sluice.server().reloadPolicy("test").get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(outcome.result()).isEqualTo(ReloadOutcome.Result.RESTART_REQUIRED);
            assertThat(outcome.details()).containsExactly("gateway.listen");
            assertThat(sluice.server().policy().hash()).isEqualTo(hashA);
            assertThat(get(sluice, "/probe/1").status()).as("A's rules still decide").isEqualTo(200);
            assertThat(get(sluice, "/export/1").status()).as("B's rules were not applied").isEqualTo(403);
            assertThat(reloads(sluice, "restart_required")).isEqualTo(1);
            assertThat(reloads(sluice, "ok")).isZero();
            assertThat(log.warnings()).anySatisfy(line -> assertThat(line).contains("gateway.listen")
                    .contains("only a restart applies").contains(hashA + " stays in force"));
        }
    }

    /** One response a load client got. */
    private record Sent(String id, String path, int status) { }

    private static final int CLIENTS = 6;
    private static final int RELOADS = 100;
    private static final int MAX_REQUESTS_PER_CLIENT = 4_000;

    @Test
    void reloadsUnderLoadNeitherFailNorMisdecideARequest() throws Exception {
        try (TestSluice sluice = TestSluice.start(config(POLICY_A))) {
            String hashA = sluice.server().policy().hash();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger completed = new AtomicInteger();
            Queue<Sent> sent = new ConcurrentLinkedQueue<>();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            Set<String> hashesB = new HashSet<>();
            try {
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.execute(() -> keepAliveClient(sluice.gatewayPort(), client, stop, deadline, sent, failures,
                            completed));
                }
                Await.until(() -> completed.get() >= CLIENTS * 10, WAIT, "traffic before the first reload");

                for (int i = 0; i < RELOADS; i++) {
                    boolean toB = i % 2 == 0;
                    String expected = sluice.replaceConfig(config(toB ? POLICY_B : POLICY_A));
                    if (toB) {
                        hashesB.add(expected);
                    }
                    ReloadOutcome outcome = sluice.server().reloadPolicy("test").get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(outcome.result()).as("reload %d: %s", i, outcome.details())
                            .isEqualTo(ReloadOutcome.Result.OK);
                    assertThat(outcome.inForce().hash()).isEqualTo(expected);
                    int now = completed.get();
                    // Let a few requests through under this policy before the next swap.
                    Await.until(() -> completed.get() >= now + CLIENTS / 2 || !failures.isEmpty(), WAIT,
                            "requests under reload " + i);
                }
            } finally {
                stop.set(true);
                clients.shutdown();
                assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }

            assertThat(failures).as("failed requests").isEmpty();
            assertThat(hashesB).hasSize(1).doesNotContain(hashA);
            String hashB = hashesB.iterator().next();
            List<Sent> responses = new ArrayList<>(sent);
            Map<Object, Map<String, Object>> audit = byId(sluice.awaitAudit(responses.size()));
            assertThat(audit).hasSize(responses.size());
            int probeAllowed = 0;
            int probeDenied = 0;
            for (Sent s : responses) {
                Map<String, Object> record = audit.get(s.id());
                assertThat(record).as("audit line of %s", s).isNotNull();
                String policy = (String) record.get("policy");
                assertThat(policy).isIn(hashA, hashB);
                boolean allowedByItsPolicy = s.path().startsWith("/api/") || policy.equals(hashA);
                assertThat(s.status()).as("%s decided by policy %s", s, policy).isEqualTo(allowedByItsPolicy ? 200 : 403);
                assertThat(record).containsEntry("status", (long) s.status()).containsEntry("path", s.path())
                        .containsEntry("decision", allowedByItsPolicy ? "allow" : "deny");
                if (s.path().startsWith("/probe/")) {
                    probeAllowed += s.status() == 200 ? 1 : 0;
                    probeDenied += s.status() == 403 ? 1 : 0;
                }
            }
            assertThat(probeAllowed).as("probes allowed by A").isPositive();
            assertThat(probeDenied).as("probes denied by B").isPositive();

            List<LoggedRequest> upstream = CentralServer.received(central);
            Set<String> upstreamIds = new HashSet<>();
            for (LoggedRequest request : upstream) {
                String id = request.getHeader("X-Sluice-Request-Id");
                Map<String, Object> record = audit.get(id);
                assertThat(record).as("audit line of upstream request %s %s", id, request.getUrl()).isNotNull();
                assertThat(request.getUrl()).isEqualTo(record.get("path"));
                assertThat(request.getUrl().startsWith("/api/") || hashA.equals(record.get("policy")))
                        .as("%s reached the upstream although policy %s denies it", request.getUrl(),
                                record.get("policy"))
                        .isTrue();
                assertThat(upstreamIds.add(id)).as("forwarded once: %s", id).isTrue();
            }
            assertThat(upstream).hasSize((int) responses.stream().filter(s -> s.status() == 200).count());
            assertThat(reloads(sluice, "ok")).isEqualTo(RELOADS);
        }
    }

    /** Keep-alive GETs, three probes to one /api request, until told to stop; records every response or failure. */
    private static void keepAliveClient(int port, int client, AtomicBoolean stop, long deadline, Queue<Sent> sent,
                                        Queue<String> failures, AtomicInteger completed) {
        RawHttpConnection connection = null;
        try {
            for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && !stop.get() && System.nanoTime() - deadline < 0; i++) {
                String path = (i % 4 == 3 ? "/api/" : "/probe/") + client + "-" + i;
                try {
                    if (connection == null) {
                        connection = RawHttpConnection.open(port);
                    }
                    connection.send("GET " + path + " HTTP/1.1\r\nHost: sluice\r\n\r\n");
                    RawResponse response = connection.readResponse();
                    sent.add(new Sent(response.header("X-Sluice-Request-Id"), path, response.status()));
                    if (response.status() != 200 && response.status() != 403) {
                        failures.add(path + ": " + response);
                    }
                    if ("close".equalsIgnoreCase(response.header("Connection"))) {
                        connection.close();
                        connection = null;
                    }
                    completed.incrementAndGet();
                } catch (IOException e) {
                    failures.add(path + ": " + e);
                    closeQuietly(connection);
                    connection = null;
                }
            }
        } finally {
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(RawHttpConnection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (IOException e) {
            // The test is over for this client; what it saw is already recorded.
        }
    }
}
