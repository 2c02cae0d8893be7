package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.sluice.policy.PolicyLint;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.proxy.deploy.Dockerfile.Instruction;
import org.sluice.proxy.deploy.Dockerfile.Stage;

/**
 * deploy/docker without a Docker engine: the Dockerfile, compose.yaml and the node's policy are parsed and held to
 * what docs/operations.md promises (a non-root proxy on a jlink runtime, an algorithm network with no way out but
 * Sluice, a policy Sluice would start with).
 */
class DockerFilesTest {

    private static final Path ROOT = RepoFiles.root();
    private static final Path DOCKER = ROOT.resolve("deploy/docker");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String JAVA = "/opt/sluice/java/bin/java";
    /** The class-data archive the image makes and the proxy maps. */
    private static final String ARCHIVE = "/opt/sluice/sluice.jsa";
    /** The policy of the archive's training run, in the image. */
    private static final String TRAINING_CONFIG = "/tmp/cds-training/sluice.yaml";
    /** COPY sources written on another branch; checked once they are here. */
    private static final List<String> WRITTEN_ELSEWHERE = List.of("deploy/init/sluice-init.sh");

    // --- Dockerfile ---

    @Test
    void theImageIsBuiltInStagesAndTheProxyStageIsTheDefaultTarget() throws IOException {
        Dockerfile dockerfile = dockerfile();

        assertThat(dockerfile.stages()).extracting(Stage::name).containsExactly("build", "jre", "sluice");
        assertThat(dockerfile.last().base()).isEqualTo("debian:bookworm-slim");
        assertThat(dockerfile.stage("build").orElseThrow().all("RUN")).extracting(Instruction::arguments)
                .anyMatch(run -> run.startsWith("./mvnw ") && run.contains("-DskipTests package -pl proxy -am"));
    }

    @Test
    void dependenciesAreDownloadedInALayerOfTheirOwnBeforeTheSourcesArrive() throws IOException {
        Stage build = dockerfile().stage("build").orElseThrow();

        int poms = build.indexOf("COPY", "proxy/pom.xml");
        int download = build.indexOf("RUN", "dependency:go-offline");
        int sources = build.indexOf("COPY", "proxy/src");
        int packaging = build.indexOf("RUN", "package");
        assertThat(poms).isNotNegative();
        assertThat(download).isGreaterThan(poms).isLessThan(sources);
        assertThat(build.indexOf("COPY", "policy/src")).isGreaterThan(download);
        assertThat(packaging).isGreaterThan(sources);
        // Every module's pom is there before the download: Maven reads them all, bench included.
        for (String pom : List.of("pom.xml", "policy/pom.xml", "proxy/pom.xml", "bench/pom.xml")) {
            assertThat(build.indexOf("COPY", pom)).as(pom).isNotNegative().isLessThan(download);
        }
    }

    @Test
    void theRuntimeIsJlinkedFromWhatJdepsFindsPlusTlsAndNettysModules() throws IOException {
        Stage jre = dockerfile().stage("jre").orElseThrow();

        String run = jre.all("RUN").stream().map(Instruction::arguments).filter(r -> r.contains("jlink"))
                .findFirst().orElseThrow();
        assertThat(run).contains("jdeps --print-module-deps --ignore-missing-deps --multi-release 17")
                .contains("jdk.crypto.ec").contains("jdk.unsupported")
                .contains("--output /opt/sluice/java")
                .contains("/opt/sluice/java/bin/java -jar /tmp/sluice.jar --version")
                .contains("policy lint");
    }

    @Test
    void theProxyRunsAsAFixedNumericUserThatIsNotRoot() throws IOException {
        Stage sluice = dockerfile().last();

        String user = sluice.last("USER").orElseThrow().arguments();
        assertThat(user).isEqualTo("10001:10001");
        assertThat(user).matches("[0-9]+:[0-9]+").doesNotStartWith("0:");
        // The user exists in the image with those ids, and owns the audit folder.
        String setup = String.join(" ", sluice.all("RUN").stream().map(Instruction::arguments).toList());
        assertThat(setup).contains("--uid 10001").contains("--gid 10001").contains("chown 10001:10001 /var/log/sluice");
        assertThat(sluice.all("VOLUME")).extracting(Instruction::arguments).containsExactly("/var/log/sluice");
    }

    @Test
    void theSameImageCarriesTheKubernetesInitScriptAndTheIptablesItNeeds() throws IOException {
        Stage sluice = dockerfile().last();

        // The init container runs /opt/sluice/sluice-init.sh from this image (deploy/k8s, ./sluice inject).
        assertThat(sluice.all("COPY")).extracting(Instruction::withoutFlags)
                .contains("deploy/init/sluice-init.sh /opt/sluice/sluice-init.sh");
        assertThat(sluice.all("RUN")).extracting(Instruction::arguments)
                .anyMatch(a -> a.contains("apt-get install -y --no-install-recommends iptables"));
        // ... but the proxy itself is no root: the USER comes after everything that needed root.
        int lastRoot = Math.max(sluice.indexOf("RUN", "apt-get"), sluice.indexOf("RUN", "useradd"));
        assertThat(sluice.indexOf("USER", "10001")).isGreaterThan(lastRoot);
        assertThat(sluice.instructions().subList(sluice.indexOf("USER", "10001") + 1, sluice.instructions().size()))
                .extracting(Instruction::keyword).doesNotContain("RUN", "USER");
    }

    @Test
    void exposesTheGatewayForwardAndAdminPorts() throws IOException {
        List<String> ports = dockerfile().last().all("EXPOSE").stream()
                .flatMap(e -> List.of(e.arguments().split(" ")).stream()).toList();

        assertThat(ports).containsExactlyInAnyOrder("8080", "3128", "9090");
    }

    @Test
    void theHealthCheckAsksSluiceItselfNotCurl() throws IOException {
        Instruction healthcheck = dockerfile().last().last("HEALTHCHECK").orElseThrow();

        String command = healthcheck.withoutFlags();
        assertThat(command).startsWith("CMD [");
        List<String> argv = execForm(command.substring("CMD ".length()));
        assertThat(argv).startsWith("/usr/local/bin/sluice", "health").doesNotContain("curl", "wget");
        assertThat(String.join(" ", argv)).contains("http://127.0.0.1:9090/readyz");
        assertThat(healthcheck.flag("timeout")).isPresent();
        // The health command's launcher is in the image and starts the jlink java.
        assertThat(dockerfile().last().all("COPY")).extracting(Instruction::withoutFlags)
                .contains("deploy/docker/sluice-cli.sh /usr/local/bin/sluice");
        assertThat(Files.readString(DOCKER.resolve("sluice-cli.sh"))).contains("exec " + JAVA + " ")
                .contains("-jar /opt/sluice/sluice.jar \"$@\"");
    }

    @Test
    void theEntrypointIsTheJlinkJavaWithSidecarMemoryOptionsAndTheCommandRunsTheMountedPolicy() throws IOException {
        Stage sluice = dockerfile().last();

        List<String> entrypoint = execForm(sluice.last("ENTRYPOINT").orElseThrow().arguments());
        assertThat(entrypoint.get(0)).isEqualTo(JAVA);
        // The options bench/footprint measured for a sidecar (docs/performance.md, Footprint).
        assertThat(entrypoint).contains("-XX:ActiveProcessorCount=1", "-XX:+UseSerialGC", "-Xms8m", "-Xmx24m",
                        "-XX:TieredStopAtLevel=1", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError",
                        "-XX:SharedArchiveFile=" + ARCHIVE, "-Djava.library.path=/opt/sluice/lib")
                .endsWith("-jar", "/opt/sluice/sluice.jar");
        assertThat(execForm(sluice.last("CMD").orElseThrow().arguments()))
                .containsExactly("run", "--config", "/etc/sluice/sluice.yaml");
        // The java it names is the jlink runtime, copied from the stage that made it.
        assertThat(sluice.all("COPY")).anyMatch(c -> c.flag("from").equals(java.util.Optional.of("jre"))
                && c.withoutFlags().equals("/opt/sluice/java/ /opt/sluice/java/"));
    }

    @Test
    void theClassDataArchiveIsMadeInTheImageFromItsJarWithTheProxysOptionsAndFailsTheBuildIfUnusable()
            throws IOException {
        Stage sluice = dockerfile().last();
        int training = sluice.indexOf("RUN", "-XX:ArchiveClassesAtExit=" + ARCHIVE);
        assertThat(training).as("a RUN that writes " + ARCHIVE).isNotNegative();
        String run = sluice.instructions().get(training).arguments();

        // A training run of the proxy's own command, with the runtime and jar the proxy uses, that serves
        // requests through the gateway and stops gracefully (the archive is written at exit), then a start that
        // must map it.
        assertThat(run).startsWith(JAVA + " ")
                .contains("-jar /opt/sluice/sluice.jar run --config " + TRAINING_CONFIG + " --no-watch")
                .contains("sluice health --timeout 5s --url http://127.0.0.1:18080/healthz")
                .contains("kill -TERM \"$pid\" && wait \"$pid\"")
                .contains("-Xshare:on -XX:SharedArchiveFile=" + ARCHIVE);
        assertThat(run.indexOf("kill -TERM")).isGreaterThan(run.indexOf("url http://127.0.0.1:18080/healthz"));
        assertThat(sluice.indexOf("COPY", "deploy/docker/cds-training.yaml " + TRAINING_CONFIG))
                .isNotNegative().isLessThan(training);
        // The archive is tied to the jar's path, size and time: both are in place before it is made, and nothing
        // replaces them after it; it is made as root, before the proxy's user takes over.
        for (String copied : List.of("/opt/sluice/sluice.jar", "/opt/sluice/java/")) {
            int copy = -1;
            for (int i = 0; i < sluice.instructions().size(); i++) {
                Instruction instruction = sluice.instructions().get(i);
                if (instruction.keyword().equals("COPY") && instruction.withoutFlags().endsWith(" " + copied)) {
                    copy = i;
                }
            }
            assertThat(copy).as("the last COPY to " + copied).isNotNegative().isLessThan(training);
        }
        assertThat(sluice.indexOf("USER", "10001")).isGreaterThan(training);
        // Trained with the proxy's own options (all but the ones about the archive, memory bounds and exit).
        List<String> proxyOptions = execForm(sluice.last("ENTRYPOINT").orElseThrow().arguments()).stream()
                .filter(o -> o.startsWith("-X") && !o.startsWith("-XX:SharedArchiveFile=")
                        && !o.startsWith("-XX:MaxDirectMemorySize=") && !o.equals("-XX:+ExitOnOutOfMemoryError"))
                .toList();
        String trainingCommand = run.substring(0, run.indexOf(" && "));
        assertThat(trainingCommand).contains("-XX:ArchiveClassesAtExit=" + ARCHIVE);
        assertThat(proxyOptions).isNotEmpty();
        assertThat(List.of(trainingCommand.split(" "))).containsAll(proxyOptions);
    }

    @Test
    void theTrainingRunsPolicySendsTheGatewaysRequestsToItsOwnAdminListenerOnLoopback() throws Exception {
        SluiceConfig training = ConfigLoader.load(DOCKER.resolve("cds-training.yaml"));
        String run = dockerfile().last().instructions().stream()
                .filter(i -> i.keyword().equals("RUN") && i.arguments().contains("-XX:ArchiveClassesAtExit="))
                .findFirst().orElseThrow().arguments();

        assertThat(training.gateway().upstream().host()).isEqualTo("127.0.0.1");
        assertThat(training.gateway().upstream().port()).isEqualTo(training.admin().listen().port());
        assertThat(training.gateway().listen().host()).isEqualTo("127.0.0.1");
        assertThat(training.admin().listen().host()).isEqualTo("127.0.0.1");
        assertThat(training.audit().path().toString()).startsWith("/tmp/cds-training/");
        // The requests the build sends: the admin's /readyz, the allowed path twice, a denied one, a scrape.
        assertThat(run).contains("--url http://127.0.0.1:" + training.admin().listen().port() + "/readyz",
                "--url http://127.0.0.1:" + training.gateway().listen().port() + "/healthz",
                "! sluice health --timeout 5s --url http://127.0.0.1:" + training.gateway().listen().port()
                        + "/denied", "--url http://127.0.0.1:" + training.admin().listen().port() + "/metrics",
                "rm -rf /tmp/cds-training");
        assertThat(training.rules()).hasSize(1);
    }

    @Test
    void everyFileTheBuildCopiesExistsAndIsInTheBuildContext() throws IOException {
        List<String> ignore = Files.readAllLines(ROOT.resolve(".dockerignore"));
        assertThat(ignore).as(".dockerignore starts by leaving everything out").contains("*");
        List<String> allowed = ignore.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
        List<String> sources = new ArrayList<>();
        for (Stage stage : dockerfile().stages()) {
            for (Instruction copy : stage.all("COPY")) {
                if (copy.flag("from").isEmpty()) {
                    String[] parts = copy.withoutFlags().split(" ");
                    sources.addAll(List.of(parts).subList(0, parts.length - 1));
                }
            }
        }

        assertThat(sources).contains("mvnw", "pom.xml", "proxy/src/", "deploy/docker/sluice-cli.sh");
        for (String source : sources) {
            assertThat(allowed).as(source + " is let through by .dockerignore")
                    .anyMatch(a -> source.equals(a) || (a.endsWith("/") && source.startsWith(a))
                            || (source.endsWith("/") && a.startsWith(source)));
            if (!WRITTEN_ELSEWHERE.contains(source) || Files.exists(ROOT.resolve(source))) {
                assertThat(ROOT.resolve(source)).as(source).exists();
            }
        }
    }

    // --- compose.yaml ---

    @Test
    void theAlgorithmNetworkAndNodeLinkHaveNoRouteOutAndTheOutsideNetworkIsAnOrdinaryOne() throws IOException {
        JsonNode networks = compose().path("networks");

        for (String internal : List.of("vantage6", "node-link")) {
            assertThat(networks.path(internal).path("internal").isBoolean()).as(internal).isTrue();
            assertThat(networks.path(internal).path("internal").booleanValue()).as(internal).isTrue();
        }
        assertThat(networks.path("outside").path("internal").asBoolean(false)).isFalse();
        // The node reuses a network of the name it would create: vantage6-NAME-user-net for vantage6-NAME-user.
        assertThat(networks.path("vantage6").path("name").asText())
                .isEqualTo(compose().path("services").path("node").path("container_name").asText() + "-net");
    }

    @Test
    void theAlgorithmIsOnTheInternalNetworkOnlyAndTheNodeProxyIsReachedOnNodeLink() throws IOException {
        Map<String, List<String>> networksOf = networksOfServices(compose());

        assertThat(networksOf.get("algorithm")).containsExactly("vantage6");
        assertThat(membersOf(networksOf, "vantage6")).containsExactlyInAnyOrder("algorithm", "sluice");
        // The node joins "vantage6" by itself at start; compose must not attach it there too (the node would fail).
        assertThat(networksOf.get("node")).containsExactlyInAnyOrder("node-link", "outside");
        assertThat(membersOf(networksOf, "node-link")).containsExactlyInAnyOrder("node", "sluice");
        assertThat(networksOf.get("guard")).containsExactly("mode service:node");
    }

    @Test
    void noServiceUsesTheHostNetworkOrPublishesAPort() throws IOException {
        Iterator<Map.Entry<String, JsonNode>> services = compose().path("services").fields();
        while (services.hasNext()) {
            Map.Entry<String, JsonNode> service = services.next();
            if (!service.getKey().equals("guard")) {
                assertThat(service.getValue().has("network_mode")).as(service.getKey()).isFalse();
            }
            assertThat(service.getValue().has("ports")).as(service.getKey() + " publishes ports").isFalse();
        }
    }

    @Test
    void sluiceRunsReadOnlyWithoutCapabilitiesAndWritesOnlyTheAuditVolumeAndTmp() throws IOException {
        JsonNode sluice = compose().path("services").path("sluice");

        assertThat(sluice.path("read_only").asBoolean(false)).isTrue();
        assertThat(strings(sluice.path("cap_drop"))).containsExactly("ALL");
        assertThat(sluice.has("cap_add")).isFalse();
        assertThat(sluice.path("privileged").asBoolean(false)).isFalse();
        assertThat(strings(sluice.path("security_opt"))).contains("no-new-privileges:true");
        assertThat(strings(sluice.path("tmpfs"))).anyMatch(t -> t.equals("/tmp") || t.startsWith("/tmp:"));
        List<String> volumes = strings(sluice.path("volumes"));
        assertThat(volumes).contains("./sluice.yaml:/etc/sluice/sluice.yaml:ro");
        assertThat(volumes).anyMatch(v -> v.endsWith(":/var/log/sluice"));
        assertThat(volumes).filteredOn(v -> !v.endsWith(":ro")).allMatch(v -> v.endsWith(":/var/log/sluice"));
        assertThat(compose().path("volumes").has("sluice-audit")).isTrue();
        assertThat(sluice.path("mem_limit").asText()).as("a memory limit above the JVM's resident size")
                .isEqualTo("256m");
    }

    /**
     * The lock assumes the algorithm has no capability (docs/threat-model.md): Docker's default set has SETUID,
     * with which root becomes Sluice's uid, and NET_RAW, whose packet sockets skip the network's rules.
     */
    @Test
    void theAlgorithmRunsWithoutCapabilitiesOrNewPrivileges() throws IOException {
        JsonNode algorithm = compose().path("services").path("algorithm");

        assertThat(strings(algorithm.path("cap_drop"))).containsExactly("ALL");
        assertThat(algorithm.has("cap_add")).isFalse();
        assertThat(algorithm.path("privileged").asBoolean(false)).isFalse();
        assertThat(strings(algorithm.path("security_opt"))).contains("no-new-privileges:true");
    }

    @Test
    void sluiceIsBuiltFromTheDockerfileAndCheckedWithSluiceHealth() throws IOException {
        JsonNode sluice = compose().path("services").path("sluice");

        JsonNode build = sluice.path("build");
        Path context = DOCKER.resolve(build.path("context").asText()).normalize();
        assertThat(context).isEqualTo(ROOT.normalize());
        assertThat(context.resolve(build.path("dockerfile").asText())).isEqualTo(DOCKER.resolve("Dockerfile"));
        assertThat(build.path("target").asText()).isEqualTo(dockerfile().last().name());
        assertThat(strings(sluice.path("healthcheck").path("test"))).containsExactly("CMD", "sluice", "health");
    }

    @Test
    void theNodeGivesItsAlgorithmsSluiceAsTheirProxyServer() throws IOException {
        JsonNode node = compose().path("services").path("node");
        SluiceConfig policy = nodePolicy();

        // vantage6's task manager: HOST=http://{PROXY_SERVER_HOST}, PORT={PROXY_SERVER_PORT}, API_PATH="".
        assertThat(node.path("environment").path("PROXY_SERVER_HOST").asText()).isEqualTo("sluice");
        assertThat(strings(compose().path("services").path("sluice").path("networks").path("vantage6")
                .path("aliases"))).contains("sluice");
        assertThat(node.path("environment").path("PROXY_SERVER_PORT").asText())
                .isEqualTo(Integer.toString(policy.gateway().listen().port()))
                .isEqualTo(Integer.toString(policy.gateway().upstream().port()));
        assertThat(node.path("depends_on").path("sluice").path("condition").asText()).isEqualTo("service_healthy");
    }

    @Test
    void theGuardRunsTheScriptInTheNodesNamespaceForSluicesAddressOnNodeLink() throws IOException {
        JsonNode guard = compose().path("services").path("guard");
        JsonNode services = compose().path("services");

        assertThat(guard.path("network_mode").asText()).isEqualTo("service:node");
        assertThat(strings(guard.path("cap_drop"))).containsExactly("ALL");
        assertThat(strings(guard.path("cap_add"))).containsExactly("NET_ADMIN");
        assertThat(strings(guard.path("security_opt"))).contains("no-new-privileges:true");
        assertThat(strings(guard.path("volumes"))).containsExactly(
                "../vantage6/proxy-guard.sh:/usr/local/bin/proxy-guard.sh:ro");
        assertThat(DOCKER.resolve("../vantage6/proxy-guard.sh").normalize()).isExecutable();
        assertThat(strings(guard.path("entrypoint"))).containsExactly("/usr/local/bin/proxy-guard.sh");
        assertThat(guard.path("build").path("dockerfile_inline").asText()).contains("iptables", "iproute2");
        assertThat(guard.path("environment").path("SLUICE_ADDRESS").asText()).isEqualTo(
                services.path("sluice").path("networks").path("node-link").path("ipv4_address").asText());
        assertThat(guard.path("environment").path("PROXY_SERVER_PORT").asText())
                .isEqualTo(services.path("node").path("environment").path("PROXY_SERVER_PORT").asText());
    }

    @Test
    void theAlgorithmsEnvironmentIsWhatTheNodeGivesWithSluiceInPlaceOfSquid() throws IOException {
        JsonNode algorithm = compose().path("services").path("algorithm");
        JsonNode env = algorithm.path("environment");
        SluiceConfig policy = nodePolicy();

        assertThat(env.path("HOST").asText()).isEqualTo("http://sluice");
        assertThat(env.path("PORT").asText()).isEqualTo(Integer.toString(policy.gateway().listen().port()));
        assertThat(env.path("API_PATH").isTextual()).isTrue();
        assertThat(env.path("API_PATH").asText()).isEmpty();
        String proxy = "http://sluice:" + policy.forward().listen().port();
        for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            assertThat(env.path(name).asText()).as(name).isEqualTo(proxy);
        }
        // Without it, HTTP_PROXY would send the algorithm's gateway calls through the forward listener.
        assertThat(env.path("NO_PROXY").asText()).isEqualTo("sluice");
        assertThat(algorithm.path("depends_on").path("sluice").path("condition").asText())
                .isEqualTo("service_healthy");
        assertThat(strings(algorithm.path("cap_drop"))).containsExactly("ALL");
        assertThat(strings(algorithm.path("security_opt"))).contains("no-new-privileges:true");
    }

    // --- deploy/docker/sluice.yaml ---

    @Test
    void theNodesPolicyIsAValidConfigWithoutWarnings() throws IOException {
        SluiceConfig policy = nodePolicy();

        assertThat(PolicyLint.warnings(policy)).isEmpty();
        String nodeAddress = compose().path("services").path("node").path("networks").path("node-link")
                .path("ipv4_address").asText();
        assertThat(policy.gateway().upstream().host()).isEqualTo(nodeAddress);
        assertThat(policy.allowPrivate()).extracting(Object::toString).containsExactly(nodeAddress + "/32");
        assertThat(policy.rules()).isNotEmpty();
    }

    @Test
    void thePolicysListenersAreTheImagesPortsAndItsAuditLogIsOnTheVolume() throws IOException {
        SluiceConfig policy = nodePolicy();
        Stage sluice = dockerfile().last();

        List<String> exposed = List.of(sluice.last("EXPOSE").orElseThrow().arguments().split(" "));
        assertThat(exposed).contains(Integer.toString(policy.gateway().listen().port()),
                Integer.toString(policy.forward().listen().port()), Integer.toString(policy.admin().listen().port()));
        // Listening on every address of the container: the algorithm network and "outside" have different ones.
        assertThat(policy.gateway().listen().host()).isEqualTo("0.0.0.0");
        assertThat(policy.forward().listen().host()).isEqualTo("0.0.0.0");
        assertThat(policy.admin().listen().host()).isEqualTo("0.0.0.0");
        assertThat(policy.audit().path()).isEqualTo(Path.of("/var/log/sluice/audit.jsonl"));
        assertThat(sluice.last("HEALTHCHECK").orElseThrow().arguments())
                .contains("http://127.0.0.1:" + policy.admin().listen().port() + "/readyz");
    }

    // --- helpers ---

    private static Dockerfile dockerfile() throws IOException {
        return Dockerfile.parse(Files.readString(DOCKER.resolve("Dockerfile")));
    }

    private static JsonNode compose() throws IOException {
        return YAML.readTree(DOCKER.resolve("compose.yaml").toFile());
    }

    private static SluiceConfig nodePolicy() throws IOException {
        try {
            return ConfigLoader.load(DOCKER.resolve("sluice.yaml"));
        } catch (org.sluice.policy.config.ConfigException e) {
            throw new AssertionError("deploy/docker/sluice.yaml is invalid: " + e.problems(), e);
        }
    }

    private static List<String> execForm(String json) throws IOException {
        List<String> argv = new ArrayList<>();
        JSON.readTree(json).forEach(n -> argv.add(n.textValue()));
        assertThat(argv).as("exec form: " + json).isNotEmpty().doesNotContainNull();
        return argv;
    }

    private static List<String> membersOf(Map<String, List<String>> networksOf, String network) {
        return networksOf.entrySet().stream().filter(e -> e.getValue().contains(network)).map(Map.Entry::getKey)
                .toList();
    }

    /** A compose list (or a single string) as strings. */
    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isTextual()) {
            values.add(node.asText());
        }
        node.forEach(n -> values.add(n.asText()));
        return values;
    }

    /** Each service's networks, whether compose lists them or maps them to settings. */
    private static Map<String, List<String>> networksOfServices(JsonNode compose) {
        Map<String, List<String>> result = new TreeMap<>();
        compose.path("services").fields().forEachRemaining(service -> {
            JsonNode networks = service.getValue().path("networks");
            List<String> names = new ArrayList<>();
            if (networks.isArray()) {
                networks.forEach(n -> names.add(n.asText()));
            } else {
                networks.fieldNames().forEachRemaining(names::add);
            }
            if (service.getValue().has("network_mode")) {
                names.add("mode " + service.getValue().path("network_mode").asText());
            }
            // No networks key: compose puts the service on "default", which is not internal.
            result.put(service.getKey(), names.isEmpty() ? List.of("default") : names);
        });
        return result;
    }
}
