package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.cli.inject.ManifestException;
import org.sluice.cli.inject.Manifests;
import picocli.CommandLine;

class InjectCommandTest {

    private static final Path POLICY = Path.of("../deploy/k8s/base/sluice.yaml");
    private static final Path FIXTURES = Path.of("src/test/resources/inject");
    private static final String NL = System.lineSeparator();
    private static final String AVERAGE = "registry.example.org/algorithms/average@sha256:"
            + "fb7a96f1a150db728253f79614b838758f041581f2c69a834a022e2afceef050";

    @TempDir
    Path folder;

    private static CliResult inject(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "inject";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliResult.execute(all);
    }

    private static List<JsonNode> documents(String yaml) throws ManifestException {
        return Manifests.read(yaml).stream().map(Manifests.Document::node).toList();
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(folder.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    void aMultiDocumentManifestKeepsItsOrderAndOnlyWorkloadsChange() throws Exception {
        Path manifest = FIXTURES.resolve("multi.yaml");

        CliResult result = inject("-f", manifest.toString(), "--policy", POLICY.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).isEmpty();
        List<JsonNode> in = documents(Files.readString(manifest));
        List<JsonNode> out = documents(result.out());
        assertThat(out).extracting(node -> node.path("kind").asText())
                .containsExactly("Service", "ConfigMap", "Deployment");
        assertThat(out.get(0)).isEqualTo(in.get(0));
        // Strings that look like booleans or numbers stay strings through the round trip.
        assertThat(out.get(1)).isEqualTo(in.get(1));
        assertThat(out.get(1).at("/data/enabled").isTextual()).isTrue();
        assertThat(out.get(2).at("/spec/template/spec/initContainers/1/name").asText()).isEqualTo("sluice");
        assertThat(result.out()).startsWith("---" + "\n" + "apiVersion: v1\nkind: Service\n");
    }

    @Test
    void aPolicyNoPodCouldRunIsAConfigErrorNamingTheKeyAndNothingIsWritten() throws Exception {
        Path policy = file("loopback-admin.yaml", Files.readString(POLICY)
                .replace("listen: 0.0.0.0:9090", "listen: 127.0.0.1:22090"));
        Path out = folder.resolve("out.yaml");

        CliResult result = inject("-f", FIXTURES.resolve("job.yaml").toString(), "-o", out.toString(),
                "--policy", policy.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice inject: " + policy + ": a pod cannot run this policy: "
                + "admin.listen 127.0.0.1:22090: the kubelet's probes and Prometheus connect to the pod's IP");
        assertThat(out).doesNotExist();
    }

    @Test
    void injectingTheOutputAgainGivesTheSameText() throws Exception {
        for (String fixture : List.of("pod.yaml", "job.yaml", "cronjob.yaml", "deployment.yaml", "statefulset.yaml",
                "multi.yaml")) {
            Path once = folder.resolve("once-" + fixture);
            CliResult first = inject("-f", FIXTURES.resolve(fixture).toString(), "-o", once.toString(),
                    "--policy", POLICY.toString());

            CliResult second = inject("-f", once.toString(), "--policy", POLICY.toString());

            assertThat(first.exitCode()).as(fixture + ": " + first.err()).isZero();
            assertThat(first.out()).isEmpty();
            assertThat(second.exitCode()).isZero();
            assertThat(second.out()).as(fixture).isEqualTo(Files.readString(once));
        }
    }

    @Test
    void aDashReadsStandardInputAndWritesStandardOutput() throws Exception {
        String pod = "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: '"
                + AVERAGE + "'}]}}\n";
        InjectCommand command = new InjectCommand(new ByteArrayInputStream(pod.getBytes(StandardCharsets.UTF_8)));
        CommandLine commandLine = SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == InjectCommand.class ? type.cast(command) : CommandLine.defaultFactory().create(type);
            }
        });

        CliResult result = CliResult.execute(commandLine, "inject", "-f", "-", "-o", "-", "--policy",
                POLICY.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode out = documents(result.out()).get(0);
        assertThat(out.at("/spec/initContainers/0/name").asText()).isEqualTo("sluice-init");
        assertThat(out.at("/spec/automountServiceAccountToken").asBoolean(true)).isFalse();
    }

    @Test
    void aRefusedImageWritesNothingAndNamesDocumentKindContainerAndReason() throws IOException {
        Path manifest = file("refused.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c}
                ---
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: unpinned
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                        - name: average
                          image: registry.example.org/algorithms/average:1.4
                        - name: fine
                          image: %s
                """.formatted(AVERAGE));
        Path out = folder.resolve("out.yaml");

        CliResult result = inject("-f", manifest.toString(), "-o", out.toString(), "--policy", POLICY.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(out).doesNotExist();
        assertThat(result.err().lines()).hasSize(2).satisfiesExactly(
                line -> assertThat(line).startsWith(manifest + ":5: document 2 (Job unpinned), container average: "
                        + "denied: registry.example.org/algorithms/average:1.4: the reference has no digest"),
                line -> assertThat(line).isEqualTo("sluice inject: 1 refusal; nothing written"));
    }

    @Test
    void invalidYamlExitsTwoWithItsPosition() throws IOException {
        Path manifest = file("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p\n");
        Path duplicate = file("dup.yaml", "kind: Pod\nkind: Job\n");
        Path scalar = file("scalar.yaml", "kind: Pod\n---\njust text\n");

        CliResult bad = inject("-f", manifest.toString(), "--policy", POLICY.toString());
        CliResult dup = inject("-f", duplicate.toString(), "--policy", POLICY.toString());
        CliResult text = inject("-f", scalar.toString(), "--policy", POLICY.toString());

        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err()).matches("\\Q" + manifest + "\\E:\\d+:\\d+: not valid YAML: .*" + NL);
        assertThat(dup.exitCode()).isEqualTo(2);
        assertThat(dup.err()).startsWith(duplicate + ":2:").contains("Duplicate field 'kind'");
        assertThat(text.exitCode()).isEqualTo(2);
        assertThat(text.err()).startsWith(scalar + ":3:1: document 2 is not a mapping");
    }

    @Test
    void unreadableInputsExitTwo() throws IOException {
        Path missing = folder.resolve("missing.yaml");
        Path manifest = file("pod.yaml", "kind: Pod\n");
        Path badPolicy = file("policy.yaml", "version: 1\ncolour: red\n");

        CliResult noManifest = inject("-f", missing.toString(), "--policy", POLICY.toString());
        CliResult noPolicy = inject("-f", manifest.toString(), "--policy", missing.toString());
        CliResult invalidPolicy = inject("-f", manifest.toString(), "--policy", badPolicy.toString());
        CliResult badName = inject("-f", manifest.toString(), "--policy", POLICY.toString(), "--config-map", "Bad_Name");
        CliResult tooLittleMemory = inject("-f", manifest.toString(), "--policy", POLICY.toString(),
                "--sidecar-memory", "64Mi");
        CliResult noArgs = inject();

        assertThat(noManifest.exitCode()).isEqualTo(2);
        assertThat(noManifest.err()).isEqualTo("sluice inject: cannot read manifest " + missing + ": no such file" + NL);
        assertThat(noPolicy.exitCode()).isEqualTo(2);
        assertThat(noPolicy.err()).isEqualTo("sluice: cannot read config " + missing + ": no such file" + NL);
        assertThat(invalidPolicy.exitCode()).isEqualTo(2);
        assertThat(invalidPolicy.err()).contains(badPolicy + ":2:1: unknown key 'colour'");
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.err()).contains("ConfigMap name 'Bad_Name'");
        assertThat(tooLittleMemory.exitCode()).isEqualTo(2);
        assertThat(tooLittleMemory.out()).isEmpty();
        assertThat(tooLittleMemory.err()).startsWith("sluice inject: sidecar memory 64Mi is below 96Mi");
        assertThat(noArgs.exitCode()).isEqualTo(2);
        assertThat(noArgs.err()).contains("Missing required options");
    }

    @Test
    void helpSaysWhatIsAddedAndTheExitCodes() {
        CliResult result = inject("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Usage: sluice inject")
                .contains("-f, --filename=MANIFEST", "--policy=POLICY", "--image=IMAGE", "--config-map=NAME",
                        "--sidecar-cpu=QUANTITY", "--sidecar-memory=QUANTITY", "sluice-init", "Exits 0 when written, 1 when a container is refused");
    }
}
