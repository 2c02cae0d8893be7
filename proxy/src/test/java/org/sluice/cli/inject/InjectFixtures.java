package org.sluice.cli.inject;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.image.AlgorithmAllowlist;

/** The manifests under src/test/resources/inject and the base policy of deploy/k8s, for the inject tests. */
final class InjectFixtures {

    /** Surefire runs in the module folder. */
    static final Path DEPLOY = Path.of("../deploy/k8s");
    static final Path BASE_POLICY = DEPLOY.resolve("base/sluice.yaml");
    static final Path FIXTURES = Path.of("src/test/resources/inject");
    static final List<String> WORKLOADS = List.of("pod.yaml", "job.yaml", "cronjob.yaml", "deployment.yaml",
            "statefulset.yaml", "multi.yaml");
    static final String AVERAGE = "registry.example.org/algorithms/average@sha256:"
            + "fb7a96f1a150db728253f79614b838758f041581f2c69a834a022e2afceef050";
    static final String KAPLAN_MEIER_DIGEST =
            "sha256:90b84b1a11c2c218695220585a66520e0749aac4207aab19839154434cf81639";

    private InjectFixtures() {
    }

    static AlgorithmAllowlist basePolicy() {
        try {
            return AlgorithmAllowlist.compile(ConfigLoader.load(BASE_POLICY).algorithms());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ConfigException e) {
            throw new IllegalStateException(e.problems().toString(), e);
        }
    }

    /** The base policy with each {@code replacements[i]} replaced by {@code replacements[i + 1]}. */
    static SluiceConfig basePolicyWith(String... replacements) {
        try {
            String text = Files.readString(BASE_POLICY, StandardCharsets.UTF_8);
            for (int i = 0; i < replacements.length; i += 2) {
                if (!text.contains(replacements[i])) {
                    throw new IllegalArgumentException("the base policy has no '" + replacements[i] + "'");
                }
                text = text.replace(replacements[i], replacements[i + 1]);
            }
            return ConfigLoader.parse(text, BASE_POLICY.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ConfigException e) {
            throw new IllegalStateException(e.problems().toString(), e);
        }
    }

    /** The base policy's upstream is a central server reached directly, whose API is under /api. */
    static final InjectSettings CENTRAL_DIRECT = new InjectSettings("sluice:0.1.0", "sluice-policy",
            InjectSettings.DEFAULT_CPU, InjectSettings.DEFAULT_MEMORY, "/api");

    static PodInjector injector() {
        return new PodInjector(CENTRAL_DIRECT, basePolicy());
    }

    static List<JsonNode> documents(Path file) {
        try {
            return Manifests.read(Files.readString(file, StandardCharsets.UTF_8)).stream()
                    .map(Manifests.Document::node).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ManifestException e) {
            throw new IllegalStateException(e.describe(file.toString()), e);
        }
    }

    static JsonNode fixture(String name) {
        return documents(FIXTURES.resolve(name)).get(0);
    }

    static JsonNode yaml(String text) {
        try {
            return Manifests.read(text).get(0).node();
        } catch (ManifestException e) {
            throw new IllegalStateException(e.describe("yaml"), e);
        }
    }
}
