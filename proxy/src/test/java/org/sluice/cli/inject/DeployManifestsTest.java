package org.sluice.cli.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sluice.cli.inject.InjectFixtures.DEPLOY;
import static org.sluice.cli.inject.InjectFixtures.FIXTURES;
import static org.sluice.cli.inject.InjectFixtures.WORKLOADS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.image.AlgorithmAllowlist;

/** Every file in deploy/k8s, and inject's output, is what Kubernetes and kustomize will read, field for field. */
class DeployManifestsTest {

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            return files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static JsonNode yaml(Path file) throws IOException {
        return StrictKubernetes.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
    }

    @Test
    void everyManifestInDeployBindsStrictlyToTheKubernetesModel() throws Exception {
        List<String> bound = new ArrayList<>();
        for (Path file : yamlFiles()) {
            String name = file.getFileName().toString();
            if (name.equals("kustomization.yaml") || name.equals("sluice.yaml")) {
                continue; // not Kubernetes objects: the tests below check them
            }
            JsonNode first = yaml(file);
            if (first.isArray()) { // a JSON patch (RFC 6902)
                assertThat(first).as(file.toString()).isNotEmpty().allSatisfy(op -> {
                    assertThat(op.path("op").asText()).isIn("add", "remove", "replace", "move", "copy", "test");
                    assertThat(op.path("path").asText()).startsWith("/");
                });
                continue;
            }
            for (JsonNode document : InjectFixtures.documents(file)) {
                try {
                    StrictKubernetes.bind(document);
                } catch (IOException e) {
                    throw new AssertionError(file + ": " + e.getMessage(), e);
                }
                bound.add(file.getFileName() + ":" + document.path("kind").asText());
            }
        }
        assertThat(bound).contains("algorithm-job.yaml:Job", "networkpolicy.yaml:NetworkPolicy",
                "deployment.yaml:Deployment", "deployment.yaml:ServiceAccount", "service.yaml:Service",
                "mutating-webhook.yaml:MutatingWebhookConfiguration",
                "validating-webhook.yaml:ValidatingWebhookConfiguration");
    }

    @Test
    void aMisspelledFieldFailsTheBinding() throws Exception {
        JsonNode job = yaml(DEPLOY.resolve("base/algorithm-job.yaml"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) job.at("/spec/template/spec/containers/0"))
                .put("imagePullPolicyy", "Always");
        JsonNode sidecarMisplaced = yaml(DEPLOY.resolve("base/algorithm-job.yaml"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) sidecarMisplaced.at("/spec/template/spec"))
                .put("restartPolicyy", "Never");

        assertThatThrownBy(() -> StrictKubernetes.bind(job)).isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("imagePullPolicyy");
        assertThatThrownBy(() -> StrictKubernetes.bind(sidecarMisplaced))
                .isInstanceOf(UnrecognizedPropertyException.class).hasMessageContaining("restartPolicyy");
        assertThat(StrictKubernetes.bind(yaml(DEPLOY.resolve("base/algorithm-job.yaml")))).isInstanceOf(Job.class);
    }

    @Test
    void theBaseJobsSidecarHasTheResourcesInjectGivesIt() throws Exception {
        JsonNode job = yaml(DEPLOY.resolve("base/algorithm-job.yaml"));
        JsonNode sidecar = null;
        for (JsonNode container : job.at("/spec/template/spec/initContainers")) {
            if (container.path("name").asText().equals(InjectSettings.SIDECAR)) {
                sidecar = container;
            }
        }

        assertThat(sidecar).as("the sluice sidecar in base/algorithm-job.yaml").isNotNull();
        assertThat(sidecar.at("/resources/requests/cpu").asText()).isEqualTo(InjectSettings.DEFAULT_CPU);
        assertThat(sidecar.at("/resources/requests/memory").asText()).isEqualTo(InjectSettings.DEFAULT_MEMORY);
        assertThat(sidecar.at("/resources/limits/memory").asText()).isEqualTo(InjectSettings.DEFAULT_MEMORY);
        assertThat(sidecar.at("/resources/limits/cpu").isMissingNode()).isTrue();
    }

    @Test
    void everyKustomizationNamesFilesThatExist() throws Exception {
        List<Path> kustomizations = yamlFiles().stream()
                .filter(file -> file.getFileName().toString().equals("kustomization.yaml")).toList();

        assertThat(kustomizations).hasSizeGreaterThanOrEqualTo(2);
        for (Path kustomization : kustomizations) {
            JsonNode root = yaml(kustomization);
            Path folder = kustomization.getParent();
            assertThat(root.path("apiVersion").asText()).isEqualTo("kustomize.config.k8s.io/v1beta1");
            assertThat(root.path("kind").asText()).isEqualTo("Kustomization");
            List<String> named = new ArrayList<>();
            root.path("resources").forEach(resource -> named.add(resource.asText()));
            root.path("patches").forEach(patch -> named.add(patch.path("path").asText()));
            root.path("configMapGenerator").forEach(generator ->
                    generator.path("files").forEach(f -> named.add(f.asText().replaceFirst("^[^=]*=", ""))));
            assertThat(named).as(kustomization.toString()).isNotEmpty();
            for (String path : named) {
                Path target = folder.resolve(path);
                assertThat(Files.isRegularFile(target)
                        || Files.isRegularFile(target.resolve("kustomization.yaml")))
                        .as(kustomization + " names " + path).isTrue();
            }
        }
    }

    @Test
    void everyPolicyInDeployIsValidAndAllowsTheAlgorithmItsKustomizationRuns() throws Exception {
        Path base = DEPLOY.resolve("base/sluice.yaml");
        Path overlay = DEPLOY.resolve("overlays/example/sluice.yaml");
        String baseImage = yaml(DEPLOY.resolve("base/algorithm-job.yaml"))
                .at("/spec/template/spec/containers/0/image").asText();
        String overlayImage = yaml(DEPLOY.resolve("overlays/example/algorithm-job.yaml"))
                .at("/spec/template/spec/containers/0/image").asText();

        assertThat(allowlist(base).check(baseImage).allowed()).as(baseImage).isTrue();
        assertThat(allowlist(overlay).check(overlayImage).allowed()).as(overlayImage).isTrue();
        assertThat(allowlist(overlay).check(baseImage).allowed()).isFalse();
    }

    @Test
    void theWebhooksPolicyAllowsTheSameAlgorithmsAsThePodsPolicy() throws Exception {
        Path webhook = DEPLOY.resolve("webhook/sluice.yaml");

        assertThat(yaml(webhook).path("algorithms")).isEqualTo(yaml(DEPLOY.resolve("base/sluice.yaml"))
                .path("algorithms"));
        assertThat(allowlist(webhook).check(InjectFixtures.AVERAGE).allowed()).isTrue();
    }

    @Test
    void theWebhookDeploymentInjectsTheImageItRunsAndNeverInjectsItself() throws Exception {
        List<JsonNode> objects = InjectFixtures.documents(DEPLOY.resolve("webhook/deployment.yaml"));
        JsonNode container = objects.get(1).at("/spec/template/spec/containers/0");
        JsonNode mutating = yaml(DEPLOY.resolve("webhook/mutating-webhook.yaml"));

        assertThat(container.path("args").toString()).contains("--image=" + container.path("image").asText());
        assertThat(mutating.at("/webhooks/0/namespaceSelector/matchLabels/sluice~1inject").asText())
                .isEqualTo("enabled");
        assertThat(mutating.at("/webhooks/0/clientConfig/service/namespace").asText())
                .isEqualTo(yaml(DEPLOY.resolve("webhook/kustomization.yaml")).path("namespace").asText());
        assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("256Mi");
        assertThat(container.at("/resources/requests/cpu").isTextual()).isTrue();
    }

    private static AlgorithmAllowlist allowlist(Path policy) throws IOException {
        try {
            return AlgorithmAllowlist.compile(ConfigLoader.load(policy).algorithms());
        } catch (ConfigException e) {
            throw new AssertionError(policy + ": " + e.problems(), e);
        }
    }

    @Test
    void injectOutputBindsStrictlyForEveryFixture() throws Exception {
        PodInjector injector = InjectFixtures.injector();
        int injected = 0;
        for (String fixture : WORKLOADS) {
            for (JsonNode document : InjectFixtures.documents(FIXTURES.resolve(fixture))) {
                Injection injection = injector.inject(document);
                assertThat(injection.refusals()).as(fixture).isEmpty();
                // Through the writer and back, as kubectl would read it.
                JsonNode written = Manifests.read(Manifests.write(List.of(injection.object()))).get(0).node();
                try {
                    KubernetesResource resource = StrictKubernetes.bind(written);
                    assertThat(resource).isNotNull();
                } catch (IOException e) {
                    throw new AssertionError(fixture + ": " + e.getMessage(), e);
                }
                injected += injection.outcome() == Injection.Outcome.INJECTED ? 1 : 0;
            }
        }
        assertThat(injected).isEqualTo(6);
    }

    @Test
    void theBaseJobIsExactlyWhatInjectMakesOfItsFixture() throws Exception {
        JsonNode injected = InjectFixtures.injector().inject(InjectFixtures.fixture("job.yaml")).object();

        assertThat(injected).isEqualTo(yaml(DEPLOY.resolve("base/algorithm-job.yaml")));
    }
}
