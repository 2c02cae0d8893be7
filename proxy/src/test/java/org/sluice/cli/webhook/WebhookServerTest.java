package org.sluice.cli.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.cli.inject.AdmissionReviews;
import org.sluice.cli.inject.InjectSettings;
import org.sluice.cli.inject.PodInjector;
import org.sluice.cli.inject.StrictKubernetes;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.image.AlgorithmAllowlist;
import org.sluice.proxy.testing.TestCa;

/** The webhook over real HTTPS on 127.0.0.1, with the AdmissionReview fixtures an API server would send. */
class WebhookServerTest {

    private static final Path FIXTURES = Path.of("src/test/resources/webhook");
    private static final Path POLICY = Path.of("../deploy/k8s/base/sluice.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path folder;

    private static WebhookServer server;
    private static HttpClient client;
    private static PodInjector injector;

    @BeforeAll
    static void start() throws Exception {
        TestCa ca = TestCa.create(folder);
        TestCa.ClientPair pem = ca.serverPem(folder, "webhook");
        injector = new PodInjector(InjectSettings.defaults(),
                AlgorithmAllowlist.compile(ConfigLoader.load(POLICY).algorithms()));
        AdmissionReviews reviews = new AdmissionReviews(injector);
        server = WebhookServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServingTls.load(pem.cert(), pem.key())::current, () -> reviews);
        client = HttpClient.newBuilder().sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.address().getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode review(String path, String fixture) throws Exception {
        HttpResponse<String> response = post(path, Files.readString(FIXTURES.resolve(fixture)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode answer = JSON.readTree(response.body());
        // What the API server reads: an AdmissionReview v1, field for field.
        assertThat(StrictKubernetes.bind(answer)).isInstanceOf(AdmissionReview.class);
        return answer;
    }

    private static String uid(String fixture) throws Exception {
        return JSON.readTree(Files.readString(FIXTURES.resolve(fixture))).at("/request/uid").asText();
    }

    @Test
    void mutatingAnAllowedPodPatchesInExactlyWhatInjectAdds() throws Exception {
        JsonNode answer = review("/mutate", "allowed-pod.json");

        JsonNode response = answer.path("response");
        assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(response.path("uid").asText()).isEqualTo(uid("allowed-pod.json"));
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
        JsonNode pod = JSON.readTree(Files.readString(FIXTURES.resolve("allowed-pod.json"))).at("/request/object");
        JsonNode patched = JsonPatchApplier.apply(pod, patch);
        assertThat(patched).isEqualTo(injector.inject(pod).object());
        assertThat(patched.at("/spec/initContainers/1/name").asText()).isEqualTo("sluice");
        assertThat(patched.at("/metadata/labels/sluice~1injected").asText()).isEqualTo("true");
        assertThat(StrictKubernetes.bind(patched)).isInstanceOf(Pod.class);
    }

    @Test
    void aRefusedImageIsRefusedByBothWebhooksNamingContainerAndReason() throws Exception {
        for (String path : new String[] {"/mutate", "/validate"}) {
            JsonNode response = review(path, "refused-image.json").path("response");

            assertThat(response.path("uid").asText()).isEqualTo(uid("refused-image.json"));
            assertThat(response.path("allowed").asBoolean(true)).as(path).isFalse();
            assertThat(response.has("patch")).isFalse();
            assertThat(response.at("/status/code").asInt()).isEqualTo(403);
            assertThat(response.at("/status/message").asText()).isEqualTo("sluice: Pod algorithm-run- refused: "
                    + "container algorithm: denied: registry.example.org/algorithms/average:latest: the reference "
                    + "has no digest and the policy requires one (requireDigest: true), because a tag can be "
                    + "re-pointed to other content; give the image as NAME@sha256:<64 hex digits>");
        }
    }

    @Test
    void anAlreadyInjectedPodIsAllowedUnchangedAndPassesValidation() throws Exception {
        JsonNode mutated = review("/mutate", "injected-pod.json").path("response");
        JsonNode validated = review("/validate", "injected-pod.json").path("response");

        assertThat(mutated.path("allowed").asBoolean()).isTrue();
        assertThat(mutated.has("patch")).isFalse();
        assertThat(mutated.path("uid").asText()).isEqualTo(uid("injected-pod.json"));
        assertThat(validated.path("allowed").asBoolean()).isTrue();
    }

    @Test
    void validationRefusesAPodThatWouldRunWithoutSluice() throws Exception {
        JsonNode response = review("/validate", "allowed-pod.json").path("response");

        assertThat(response.path("allowed").asBoolean(true)).isFalse();
        assertThat(response.at("/status/message").asText()).contains("has no sluice container");
    }

    @Test
    void aPodThatCouldUndoTheLockIsRefusedByBothWebhooksNamingTheField() throws Exception {
        ObjectNode review = (ObjectNode) JSON.readTree(Files.readString(FIXTURES.resolve("allowed-pod.json")));
        ObjectNode spec = (ObjectNode) review.at("/request/object/spec");
        spec.put("hostPID", true);
        spec.putArray("volumes").addObject().put("name", "runtime").putObject("hostPath")
                .put("path", "/run/containerd/containerd.sock");
        ((ObjectNode) spec.at("/containers/0")).putObject("securityContext").put("runAsGroup", 10001);

        for (String path : List.of("/mutate", "/validate")) {
            JsonNode response = JSON.readTree(post(path, review.toString()).body()).path("response");

            assertThat(response.path("allowed").asBoolean(true)).as(path).isFalse();
            assertThat(response.at("/status/code").asInt()).isEqualTo(403);
            assertThat(response.at("/status/message").asText()).as(path)
                    .contains("pod: hostPID: true: the pod would share the node's process namespace")
                    .contains("pod: volume runtime: hostPath: a path of the node")
                    .contains("securityContext.runAsGroup: 10001 is Sluice's group");
        }
    }

    @Test
    void aContainerPosingAsSluiceIsRefused() throws Exception {
        ObjectNode review = (ObjectNode) JSON.readTree(Files.readString(FIXTURES.resolve("injected-pod.json")));
        ((ObjectNode) review.at("/request/object/spec/initContainers/1")).put("image",
                "registry.example.org/tools/egress-anywhere@sha256:" + "5".repeat(64));

        HttpResponse<String> answer = post("/validate", review.toString());

        JsonNode response = JSON.readTree(answer.body()).path("response");
        assertThat(response.path("allowed").asBoolean(true)).isFalse();
        assertThat(response.at("/status/message").asText()).contains("container sluice: has the name of Sluice's "
                + "own container but runs image 'registry.example.org/tools/egress-anywhere@sha256:555");
    }

    @Test
    void healthBadRequestsAndUnknownPaths() throws Exception {
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + server.address().getPort() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> notJson = post("/mutate", "{not json");
        HttpResponse<String> notAReview = post("/validate", "{\"kind\":\"Pod\"}");
        HttpResponse<String> unknown = post("/inject", "{}");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).startsWith("not JSON");
        assertThat(notAReview.statusCode()).isEqualTo(400);
        assertThat(notAReview.body()).contains("expected an AdmissionReview of apiVersion admission.k8s.io/v1");
        assertThat(unknown.statusCode()).isEqualTo(404);
    }
}
