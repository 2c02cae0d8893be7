package org.sluice.cli.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sluice.cli.inject.InjectFixtures.AVERAGE;
import static org.sluice.cli.inject.InjectFixtures.KAPLAN_MEIER_DIGEST;
import static org.sluice.cli.inject.InjectFixtures.fixture;
import static org.sluice.cli.inject.InjectFixtures.injector;
import static org.sluice.cli.inject.InjectFixtures.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sluice.policy.config.SluiceConfig;

class PodInjectorTest {

    private final PodInjector injector = injector();

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(item -> names.add(item.path("name").asText()));
        return names;
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        container.path("env").forEach(entry -> env.put(entry.path("name").asText(), entry.path("value").asText()));
        return env;
    }

    private static JsonNode at(JsonNode node, String pointer) {
        return node.at(pointer);
    }

    @ParameterizedTest
    @CsvSource({
        "pod.yaml,         ''",
        "job.yaml,         /spec/template",
        "cronjob.yaml,     /spec/jobTemplate/spec/template",
        "deployment.yaml,  /spec/template",
        "statefulset.yaml, /spec/template"})
    void everyWorkloadKindGetsSluiceInItsPodTemplate(String file, String templatePointer) {
        JsonNode input = fixture(file);

        Injection injection = injector.inject(input);

        assertThat(injection.outcome()).isEqualTo(Injection.Outcome.INJECTED);
        JsonNode template = at(injection.object(), templatePointer);
        JsonNode spec = template.path("spec");
        assertThat(names(spec.path("initContainers"))).startsWith("sluice-init", "sluice");
        JsonNode sidecar = spec.path("initContainers").get(1);
        assertThat(sidecar.path("restartPolicy").asText()).isEqualTo("Always");
        assertThat(sidecar.path("image").asText()).isEqualTo("sluice:0.1.0");
        assertThat(sidecar.path("args").toString()).isEqualTo("[\"run\",\"--config\",\"/etc/sluice/sluice.yaml\"]");
        assertThat(sidecar.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
        assertThat(sidecar.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
        assertThat(sidecar.at("/securityContext/runAsUser").asInt()).isEqualTo(10001);
        assertThat(sidecar.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(names(spec.path("containers"))).doesNotContain("sluice", "sluice-init");
        assertThat(names(spec.path("volumes"))).endsWith("sluice-policy", "sluice-audit", "sluice-tmp");
        assertThat(spec.at("/volumes").findValuesAsText("name")).contains("sluice-policy");
        assertThat(spec.path("automountServiceAccountToken").isBoolean()).isTrue();
        assertThat(spec.path("automountServiceAccountToken").asBoolean()).isFalse();
        assertThat(template.at("/metadata/labels/sluice~1injected").asText()).isEqualTo("true");
        assertThat(template.at("/metadata/annotations/prometheus.io~1port").asText()).isEqualTo("9090");
        for (JsonNode container : spec.path("containers")) {
            assertThat(env(container)).containsEntry("HTTPS_PROXY", "http://127.0.0.1:3128")
                    .containsEntry("HOST", "http://127.0.0.1");
        }
        if (!templatePointer.isEmpty()) { // everything outside the pod template is untouched
            assertThat(injection.object().path("metadata")).isEqualTo(input.path("metadata"));
        }
    }

    @Test
    void theInitContainerIsThePodsOnlyRootAndHasOnlyTheNetworkCapabilities() {
        JsonNode init = injector.inject(fixture("job.yaml")).object().at("/spec/template/spec/initContainers/0");

        assertThat(init.path("name").asText()).isEqualTo("sluice-init");
        assertThat(init.path("command").toString()).isEqualTo("[\"/opt/sluice/sluice-init.sh\"]");
        assertThat(env(init)).containsExactly(Map.entry("SLUICE_UID", "10001"),
                Map.entry("SLUICE_PORTS", "8080 3128 9090"));
        assertThat(init.at("/securityContext/runAsUser").asInt()).isZero();
        assertThat(init.at("/securityContext/runAsNonRoot").asBoolean(true)).isFalse();
        assertThat(init.at("/securityContext/capabilities/add").toString()).isEqualTo("[\"NET_ADMIN\",\"NET_RAW\"]");
        assertThat(init.at("/securityContext/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
    }

    /** Issue 16, item 3: a policy on 127.0.0.1:22080 with admin on 22090 gave a pod that never became ready. */
    @Test
    void theInitRulesProbesPortsAndEnvironmentFollowThePolicysListeners() {
        PodInjector custom = PodInjector.forPolicy(InjectSettings.defaults(), InjectFixtures.basePolicyWith(
                "listen: 127.0.0.1:8080", "listen: 127.0.0.1:22080",
                "listen: 127.0.0.1:3128", "listen: 127.0.0.1:22128",
                "listen: 0.0.0.0:9090", "listen: 0.0.0.0:22090"));

        JsonNode template = custom.inject(fixture("job.yaml")).object().at("/spec/template");

        JsonNode init = template.at("/spec/initContainers/0");
        assertThat(env(init)).containsEntry("SLUICE_PORTS", "22080 22128 22090");
        JsonNode sidecar = template.at("/spec/initContainers/1");
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(sidecar.path(probe).at("/httpGet/port").asInt()).as(probe).isEqualTo(22090);
        }
        assertThat(sidecar.at("/ports").toString())
                .isEqualTo("[{\"name\":\"sluice-admin\",\"containerPort\":22090}]");
        assertThat(template.at("/metadata/annotations/prometheus.io~1port").asText()).isEqualTo("22090");
        assertThat(env(template.at("/spec/containers/0"))).containsEntry("PORT", "22080")
                .containsEntry("HOST", "http://127.0.0.1")
                .containsEntry("HTTP_PROXY", "http://127.0.0.1:22128")
                .containsEntry("https_proxy", "http://127.0.0.1:22128");
        assertThat(custom.inject(custom.inject(fixture("job.yaml")).object()).outcome())
                .as("its own output is injected as it would inject it").isEqualTo(Injection.Outcome.ALREADY_INJECTED);
        assertThat(injector.inject(custom.inject(fixture("job.yaml")).object()).refusals())
                .as("a pod injected for other ports differs from what this policy's injector adds")
                .extracting(Refusal::line).containsExactly(
                        "container sluice-init: differs from the init container Sluice adds: env[1].value is "
                                + "\"22080 22128 22090\", expected \"8080 3128 9090\"",
                        "container sluice: differs from the sidecar Sluice adds: ports[0].containerPort is 22090, "
                                + "expected 9090");
    }

    @Test
    void withoutAForwardListenerNoProxyVariableIsLeftAndItsPortStaysShut() {
        PodInjector custom = PodInjector.forPolicy(InjectSettings.defaults(), InjectFixtures.basePolicyWith(
                "forward:\n  listen: 127.0.0.1:3128", ""));
        JsonNode pod = yaml("""
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: a
                      image: '%s'
                      env: [{name: HTTPS_PROXY, value: 'http://proxy.example.org:3128'}, {name: KEEP, value: '1'}]
                """.formatted(AVERAGE));

        JsonNode spec = custom.inject(pod).object().path("spec");

        assertThat(env(spec.at("/initContainers/0"))).containsEntry("SLUICE_PORTS", "8080 9090");
        assertThat(env(spec.at("/containers/0"))).containsExactly(Map.entry("KEEP", "1"),
                Map.entry("HOST", "http://127.0.0.1"), Map.entry("PORT", "8080"), Map.entry("API_PATH", ""));
    }

    /** A forward-only policy (issue 16 item 10): no central-server variables, and the gateway's port stays shut. */
    @Test
    void withoutAGatewayNoCentralServerVariableIsLeftAndItsPortStaysShut() {
        PodInjector custom = PodInjector.forPolicy(InjectSettings.defaults(), InjectFixtures.basePolicyWith(
                "\ngateway:\n  listen: 127.0.0.1:8080", "\n#", "  upstream: https://central.example.org", "#"));
        JsonNode pod = yaml("""
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                    - name: a
                      image: '%s'
                      env:
                        - {name: HOST, value: 'http://proxyserver'}
                        - {name: API_PATH, value: ''}
                        - {name: KEEP, value: '1'}
                """.formatted(AVERAGE));

        JsonNode spec = custom.inject(pod).object().path("spec");

        assertThat(env(spec.at("/initContainers/0"))).containsEntry("SLUICE_PORTS", "3128 9090");
        assertThat(env(spec.at("/containers/0"))).containsOnlyKeys("KEEP", "HTTP_PROXY", "HTTPS_PROXY",
                "http_proxy", "https_proxy", "NO_PROXY", "no_proxy");
    }

    /** Issue 17: a vantage6 client calls {HOST}:{PORT}{API_PATH}/task/7; a node proxy's API_PATH is "". */
    @Test
    void apiPathIsEmptyUnlessTheOperatorNamesAPrefix() {
        SluiceConfig policy = InjectFixtures.basePolicyWith("listen: 127.0.0.1:8080", "listen: 127.0.0.1:8080");
        JsonNode byDefault = PodInjector.forPolicy(InjectSettings.defaults(), policy)
                .inject(fixture("job.yaml")).object().at("/spec/template/spec/containers/0");
        JsonNode prefixed = PodInjector.forPolicy(InjectFixtures.CENTRAL_DIRECT, policy)
                .inject(fixture("job.yaml")).object().at("/spec/template/spec/containers/0");

        assertThat(env(byDefault)).containsEntry("API_PATH", "").containsEntry("HOST", "http://127.0.0.1");
        assertThat(env(prefixed)).containsEntry("API_PATH", "/api");
    }

    @ParameterizedTest
    @ValueSource(strings = {"api", "/api/", "/", "/a/../b", "/..", "/api?x=1", "/a b", "//api"})
    void anApiPathThatIsNotAPathPrefixIsRefused(String apiPath) {
        assertThatThrownBy(() -> new InjectSettings("sluice:0.1.0", "sluice-policy", InjectSettings.DEFAULT_CPU,
                InjectSettings.DEFAULT_MEMORY, apiPath))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("API_PATH '" + apiPath + "' is neither empty nor a path such as /api (segments of "
                        + "letters, digits and -._~, no trailing '/')");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/api", "/v2/api", "/a.b_c~d-e"})
    void anApiPathPrefixIsAccepted(String apiPath) {
        assertThat(new InjectSettings("sluice:0.1.0", "sluice-policy", InjectSettings.DEFAULT_CPU,
                InjectSettings.DEFAULT_MEMORY, apiPath).apiPath()).isEqualTo(apiPath);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "listen: 0.0.0.0:9090 | listen: 127.0.0.1:22090 | admin.listen 127.0.0.1:22090: the kubelet's probes and "
                + "Prometheus connect to the pod's IP",
        "'admin:\n  listen: 0.0.0.0:9090' | '' | the policy has no admin listener: the sidecar's startup probe",
        "listen: 127.0.0.1:8080 | listen: 10.0.0.5:8080 | gateway.listen 10.0.0.5:8080: the algorithm reaches "
                + "Sluice at 127.0.0.1",
        "listen: 127.0.0.1:3128 | listen: 127.0.0.1:0 | forward.listen 127.0.0.1:0: port 0 picks a free port",
        "path: /var/log/sluice/audit.jsonl | path: /srv/audit/audit.jsonl | audit.path /srv/audit/audit.jsonl is "
                + "outside /var/log/sluice/, the sluice-audit volume",
        "path: /var/log/sluice/audit.jsonl | path: audit.jsonl | audit.path "})
    void aPolicyThePodCannotRunIsRefusedSayingWhy(String from, String to, String message) {
        SluiceConfig policy = InjectFixtures.basePolicyWith(from.replace("\\n", "\n"), to);

        assertThatThrownBy(() -> PodInjector.forPolicy(InjectSettings.defaults(), policy))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    @Test
    void aRelativeAuditPathIsRefusedBecauseInThePodItIsInTheReadOnlyPolicyFolder() {
        SluiceConfig policy = InjectFixtures.basePolicyWith("path: /var/log/sluice/audit.jsonl", "path: audit.jsonl");

        assertThatThrownBy(() -> PodInjector.forPolicy(InjectSettings.defaults(), policy))
                .hasMessageContaining("in the pod that is /etc/sluice/audit.jsonl, in the read-only policy "
                        + "ConfigMap: give an absolute path under /var/log/sluice/");
    }

    @Test
    void theEnvironmentReplacesProxyAndCentralServerVariablesAndKeepsTheRest() {
        JsonNode spec = injector.inject(fixture("pod.yaml")).object().path("spec");

        JsonNode average = spec.path("containers").get(0);
        assertThat(env(average)).containsExactly(
                Map.entry("DATABASE_URI", "/mnt/data/default.csv"),
                Map.entry("HTTP_PROXY", "http://127.0.0.1:3128"),
                Map.entry("HTTPS_PROXY", "http://127.0.0.1:3128"),
                Map.entry("http_proxy", "http://127.0.0.1:3128"),
                Map.entry("https_proxy", "http://127.0.0.1:3128"),
                Map.entry("NO_PROXY", "127.0.0.1,localhost"),
                Map.entry("no_proxy", "127.0.0.1,localhost"),
                Map.entry("HOST", "http://127.0.0.1"),
                Map.entry("PORT", "8080"),
                Map.entry("API_PATH", "/api"));
        assertThat(average.path("env").findValues("value")).allMatch(JsonNode::isTextual);
        // The algorithm's own init container runs after Sluice and gets the same environment.
        JsonNode fetchModel = spec.path("initContainers").get(2);
        assertThat(fetchModel.path("name").asText()).isEqualTo("fetch-model");
        assertThat(env(fetchModel)).containsEntry("NO_PROXY", "127.0.0.1,localhost").hasSize(9);
    }

    @Test
    void hardeningFillsOnlyWhatTheContainerLeftUnset() {
        JsonNode spec = injector.inject(fixture("pod.yaml")).object().path("spec");

        JsonNode own = spec.path("containers").get(0).path("securityContext");
        assertThat(own.path("runAsUser").asInt()).isEqualTo(20000);
        assertThat(own.path("readOnlyRootFilesystem").asBoolean(true)).isFalse();
        assertThat(own.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(own.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(own.at("/capabilities/drop").toString()).isEqualTo("[\"NET_BIND_SERVICE\",\"ALL\"]");
        JsonNode unset = spec.path("initContainers").get(2).path("securityContext");
        assertThat(unset.path("runAsUser").asInt()).isEqualTo(10002);
        assertThat(unset.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(unset.at("/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(spec.path("securityContext").path("fsGroup").asInt()).isEqualTo(10002);
    }

    /** Issue 16, item 4: what the lock assumes of every algorithm container, whatever the manifest said. */
    @Test
    void everyInjectedAlgorithmContainerDropsAllCapabilitiesCannotEscalateAndIsNotRootOrSluice() {
        for (String file : List.of("pod.yaml", "job.yaml", "cronjob.yaml", "deployment.yaml", "statefulset.yaml")) {
            JsonNode spec = injector.inject(fixture(file)).object().findParent("containers");
            JsonNode podUser = spec.at("/securityContext/runAsUser");
            List<JsonNode> algorithms = new ArrayList<>();
            spec.path("containers").forEach(algorithms::add);
            spec.path("initContainers").forEach(c -> {
                if (!c.path("name").asText().startsWith("sluice")) {
                    algorithms.add(c);
                }
            });
            assertThat(algorithms).as(file).isNotEmpty();
            for (JsonNode container : algorithms) {
                JsonNode context = container.path("securityContext");
                String what = file + " " + container.path("name").asText();
                assertThat(context.at("/capabilities/drop").toString()).as(what).contains("\"ALL\"");
                assertThat(context.at("/capabilities/add").isMissingNode()).as(what).isTrue();
                assertThat(context.path("privileged").asBoolean(false)).as(what).isFalse();
                assertThat(context.path("allowPrivilegeEscalation").asBoolean(true)).as(what).isFalse();
                assertThat(context.path("runAsNonRoot").asBoolean(false)).as(what).isTrue();
                JsonNode user = context.has("runAsUser") ? context.get("runAsUser") : podUser;
                assertThat(user.asLong(0)).as(what).isNotIn(0L, 10001L);
            }
        }
    }

    @Test
    void aPodLevelUserIsLeftToThePod() {
        JsonNode pod = yaml("""
                kind: Pod
                metadata: {name: p}
                spec:
                  securityContext: {runAsUser: 30000}
                  enableServiceLinks: true
                  containers: [{name: a, image: %s}]
                """.formatted(AVERAGE));

        JsonNode spec = injector.inject(pod).object().path("spec");

        assertThat(spec.at("/containers/0/securityContext").has("runAsUser")).isFalse();
        assertThat(spec.path("enableServiceLinks").asBoolean()).isTrue();
    }

    @Test
    void injectingTwiceChangesNothingMore() {
        for (String file : List.of("pod.yaml", "job.yaml", "cronjob.yaml", "deployment.yaml", "statefulset.yaml")) {
            JsonNode once = injector.inject(fixture(file)).object();

            Injection twice = injector.inject(once);

            assertThat(twice.outcome()).as(file).isEqualTo(Injection.Outcome.ALREADY_INJECTED);
            assertThat(twice.object()).as(file).isSameAs(once);
        }
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode injectedPod() {
        return (com.fasterxml.jackson.databind.node.ObjectNode) injector().inject(fixture("pod.yaml")).object();
    }

    @Test
    void anInjectedPodWithWhatTheApiServerDefaultsIsStillInjected() {
        var pod = injectedPod();
        var sidecar = (com.fasterxml.jackson.databind.node.ObjectNode) pod.at("/spec/initContainers/1");
        sidecar.put("terminationMessagePath", "/dev/termination-log").put("imagePullPolicy", "IfNotPresent");
        ((com.fasterxml.jackson.databind.node.ObjectNode) sidecar.at("/readinessProbe")).put("timeoutSeconds", 1);
        ((com.fasterxml.jackson.databind.node.ObjectNode) sidecar.at("/readinessProbe/httpGet")).put("scheme", "HTTP");
        ((com.fasterxml.jackson.databind.node.ObjectNode) sidecar.at("/env/0/valueFrom/fieldRef"))
                .put("apiVersion", "v1");

        Injection injection = injector.inject(pod);

        assertThat(injection.refusals()).isEmpty();
        assertThat(injection.outcome()).isEqualTo(Injection.Outcome.ALREADY_INJECTED);
    }

    @Test
    void sluiceGetsRequestsAndAMemoryLimitButNoCpuLimit() {
        JsonNode spec = injector.inject(fixture("pod.yaml")).object().path("spec");

        assertThat(spec.at("/initContainers/1/resources").toString())
                .isEqualTo("{\"requests\":{\"cpu\":\"100m\",\"memory\":\"160Mi\"},\"limits\":{\"memory\":\"160Mi\"}}");
        assertThat(spec.at("/initContainers/0/resources").toString())
                .isEqualTo("{\"requests\":{\"cpu\":\"10m\",\"memory\":\"32Mi\"},\"limits\":{\"memory\":\"64Mi\"}}");

        PodInjector larger = new PodInjector(new InjectSettings("sluice:0.1.0", "sluice-policy", "0.5", "1Gi"),
                InjectFixtures.basePolicy());
        JsonNode sidecar = larger.inject(fixture("pod.yaml")).object().at("/spec/initContainers/1");
        assertThat(sidecar.at("/resources/requests/cpu").asText()).isEqualTo("0.5");
        assertThat(sidecar.at("/resources/requests/memory").asText()).isEqualTo("1Gi");
        assertThat(sidecar.at("/resources/limits/memory").asText()).isEqualTo("1Gi");
        assertThat(sidecar.at("/resources/limits/cpu").isMissingNode()).isTrue();
    }

    @Test
    void aNodeMayChangeTheResourcesOfAnInjectedPod() {
        var pod = injectedPod();
        ((com.fasterxml.jackson.databind.node.ObjectNode) pod.at("/spec/initContainers/1/resources/limits"))
                .put("memory", "512Mi").put("cpu", "2");
        ((com.fasterxml.jackson.databind.node.ObjectNode) pod.at("/spec/initContainers/0")).remove("resources");

        Injection injection = injector.inject(pod);

        assertThat(injection.refusals()).isEmpty();
        assertThat(injection.outcome()).isEqualTo(Injection.Outcome.ALREADY_INJECTED);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abc   | 256Mi | sidecar CPU 'abc' is not a CPU quantity above zero such as 100m or 0.5",
        "0     | 256Mi | sidecar CPU '0' is not a CPU quantity above zero such as 100m or 0.5",
        "0m    | 256Mi | sidecar CPU '0m' is not a CPU quantity above zero such as 100m or 0.5",
        "100m  | 256MB | sidecar memory '256MB' is not a quantity in Mi or Gi such as 160Mi",
        "100m  | 64Mi  | sidecar memory 64Mi is below 96Mi, too little for Sluice's JVM (about 95 MiB resident "
                + "under load): it would be killed for memory",
        "100m  | 95Mi  | sidecar memory 95Mi is below 96Mi, too little for Sluice's JVM (about 95 MiB resident "
                + "under load): it would be killed for memory"})
    void resourcesThatCannotWorkAreRefusedWithTheReason(String cpu, String memory, String message) {
        assertThatThrownBy(
                        () -> new InjectSettings("sluice:0.1.0", "sluice-policy", cpu, memory))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void theSmallestMemoryThatCanWorkIsAcceptedAndTheDefaultLeavesHeadroomAboveIt() {
        PodInjector smallest = new PodInjector(new InjectSettings("sluice:0.1.0", "sluice-policy", "100m", "96Mi"),
                InjectFixtures.basePolicy());

        JsonNode sidecar = smallest.inject(fixture("pod.yaml")).object().at("/spec/initContainers/1");
        assertThat(sidecar.at("/resources/limits/memory").asText()).isEqualTo("96Mi");
        // The default is the measured peak at 1,000 connections (95 MiB) plus headroom, not the bare minimum.
        long defaultBytes = Long.parseLong(InjectSettings.DEFAULT_MEMORY.replace("Mi", "")) << 20;
        assertThat(defaultBytes).isGreaterThanOrEqualTo(InjectSettings.MIN_MEMORY_BYTES + (32L << 20));
    }

    @Test
    void anInjectedPodMustCarrySluiceAsInjectAddsIt() {
        var otherUid = injectedPod();
        ((com.fasterxml.jackson.databind.node.ObjectNode) otherUid.at("/spec/initContainers/0/env/0"))
                .put("value", "10002");
        var extraMount = injectedPod();
        ((com.fasterxml.jackson.databind.node.ObjectNode) extraMount.at("/spec/initContainers/0"))
                .putArray("volumeMounts").addObject().put("name", "tools").put("mountPath", "/opt/sluice");
        var runsFirst = injectedPod();
        ((com.fasterxml.jackson.databind.node.ArrayNode) runsFirst.at("/spec/initContainers"))
                .insertObject(0).put("name", "early").put("image", AVERAGE);
        var otherPolicy = injectedPod();
        for (JsonNode volume : otherPolicy.at("/spec/volumes")) {
            if (volume.path("name").asText().equals("sluice-policy")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) volume.path("configMap")).put("name", "permissive");
            }
        }
        var noInit = injectedPod();
        ((com.fasterxml.jackson.databind.node.ArrayNode) noInit.at("/spec/initContainers")).remove(0);

        assertThat(injector.inject(otherUid).refusals()).extracting(Refusal::line).containsExactly(
                "container sluice-init: differs from the init container Sluice adds: env[0].value is \"10002\", "
                        + "expected \"10001\"");
        assertThat(injector.inject(extraMount).refusals()).extracting(Refusal::line).containsExactly(
                "container sluice-init: differs from the init container Sluice adds: has volumeMounts, which "
                        + "Sluice does not set");
        assertThat(injector.inject(runsFirst).refusals()).extracting(Refusal::line).singleElement().asString()
                .startsWith("pod: has a sluice container, but the first two init containers are not sluice-init "
                        + "and sluice");
        assertThat(injector.inject(otherPolicy).refusals()).extracting(Refusal::line).containsExactly(
                "pod: volume sluice-policy is not ConfigMap sluice-policy, the policy Sluice must run with");
        assertThat(injector.inject(noInit).refusals()).extracting(Refusal::line).singleElement().asString()
                .startsWith("pod: has a sluice container, but the first two init containers");
    }

    @Test
    void theInputIsNeverChanged() {
        JsonNode input = fixture("pod.yaml");
        JsonNode copy = input.deepCopy();

        injector.inject(input);

        assertThat(input).isEqualTo(copy);
    }

    @Test
    void otherKindsPassThroughAsTheyAre() {
        for (String text : List.of("{apiVersion: v1, kind: Service, metadata: {name: s}, spec: {ports: [{port: 80}]}}",
                "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: b}}",
                "{apiVersion: v1, kind: Secret, metadata: {name: s}}",
                "{kind: Pods, spec: {containers: [{name: a, image: ubuntu}]}}")) {
            JsonNode object = yaml(text);

            Injection injection = injector.inject(object);

            assertThat(injection.outcome()).isEqualTo(Injection.Outcome.NOT_A_WORKLOAD);
            assertThat(injection.object()).isSameAs(object);
        }
    }

    private List<String> refusals(String podSpecYaml) {
        JsonNode pod = yaml("kind: Pod\nmetadata: {name: p}\nspec:\n" + podSpecYaml.indent(2));
        Injection injection = injector.inject(pod);
        assertThat(injection.object()).isSameAs(pod);
        return injection.refusals().stream().map(Refusal::line).toList();
    }

    @Test
    void anImageThePolicyDoesNotAllowIsRefusedWithTheReason() {
        assertThat(refusals("containers: [{name: a, image: 'registry.example.org/algorithms/average:1.0'}]"))
                .singleElement().asString()
                .startsWith("container a: denied: registry.example.org/algorithms/average:1.0: the reference has no "
                        + "digest");
        assertThat(refusals("containers: [{name: a, image: 'registry.example.org/algorithms/average@sha256:"
                + "1".repeat(64) + "'}]"))
                .singleElement().asString()
                .contains("allows registry.example.org/algorithms/average only with digest sha256:fb7a96f1");
        assertThat(refusals("containers: [{name: a, image: 'registry.example.org/algorithms/unreviewed@sha256:"
                + "1".repeat(64) + "'}]"))
                .singleElement().asString()
                .contains("only with digest " + KAPLAN_MEIER_DIGEST + ", and the reference has digest sha256:111");
        assertThat(refusals("containers: [{name: a, image: 'registry.example.org.evil.example/algorithms/average@"
                + KAPLAN_MEIER_DIGEST + "'}]"))
                .singleElement().asString()
                .contains("no entry in the algorithms list allows registry.example.org.evil.example/algorithms/average");
        assertThat(refusals("containers: [{name: a}]"))
                .containsExactly("container a: has no image, so the policy's algorithms list cannot allow it");
    }

    @Test
    void everyContainerIsCheckedAndEveryRefusalReported() {
        List<String> refusals = refusals("""
                initContainers: [{name: setup, image: 'registry.example.org/base/ubuntu@sha256:%s'}]
                containers:
                  - {name: ok, image: '%s'}
                  - {name: bad, image: 'registry.example.org/base/busybox:latest'}
                """.formatted("2".repeat(64), AVERAGE));

        assertThat(refusals).hasSize(2);
        assertThat(refusals.get(0)).startsWith("container setup: denied: registry.example.org/base/ubuntu@sha256:222");
        assertThat(refusals.get(1)).startsWith("container bad: denied: registry.example.org/base/busybox:latest");
    }

    @Test
    void aContainerNamedLikeSluiceMustRunTheSluiceImage() {
        assertThat(refusals("""
                initContainers: [{name: sluice, image: 'ubuntu@sha256:%s', restartPolicy: Always}]
                containers: [{name: a, image: '%s'}]
                """.formatted("3".repeat(64), AVERAGE)))
                .containsExactly("container sluice: has the name of Sluice's own container but runs image "
                        + "'ubuntu@sha256:" + "3".repeat(64) + "', not the Sluice image 'sluice:0.1.0'");
    }

    @Test
    void whatWouldLetTheAlgorithmPastSluiceIsRefused() {
        String image = "image: '" + AVERAGE + "'";
        assertThat(refusals("containers: [{name: a, " + image + ", securityContext: {runAsUser: 10001}}]"))
                .singleElement().asString().contains("runs as user id 10001, Sluice's");
        assertThat(refusals("securityContext: {runAsUser: 0}\ncontainers: [{name: a, " + image + "}]"))
                .singleElement().asString().contains("runs as root");
        assertThat(refusals("containers: [{name: a, " + image + ", securityContext: {privileged: true}}]"))
                .singleElement().asString().contains("is privileged");
        assertThat(refusals("containers: [{name: a, " + image
                + ", securityContext: {allowPrivilegeEscalation: true}}]"))
                .singleElement().asString().contains("allowPrivilegeEscalation: true");
        assertThat(refusals("containers: [{name: a, " + image
                + ", securityContext: {capabilities: {add: [NET_ADMIN]}}}]"))
                .singleElement().asString().contains("adds capabilities [NET_ADMIN]");
        assertThat(refusals("hostNetwork: true\ncontainers: [{name: a, " + image + "}]"))
                .singleElement().asString().startsWith("pod: hostNetwork: true");
        assertThat(refusals("containers: [{name: a, " + image + "}]\nvolumes: [{name: sluice-audit, emptyDir: {}}]"))
                .containsExactly("pod: volume sluice-audit exists already, and Sluice adds a volume of that name");
    }

    /** Each field that could weaken or bypass the sidecar is refused by name, with why (issue 16, item 2). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "hostPID: true | pod: hostPID: true: the pod would share the node's process namespace",
        "hostIPC: true | pod: hostIPC: true: the pod would share the node's IPC namespace",
        "shareProcessNamespace: true | pod: shareProcessNamespace: true: the algorithm's processes would share one "
                + "process namespace with Sluice's",
        "'hostAliases: [{ip: 203.0.113.7, hostnames: [central.example.org]}]' | pod: hostAliases: writes names "
                + "into the /etc/hosts of every container, Sluice's too",
        "dnsPolicy: None | pod: dnsPolicy: None: replaces the cluster's DNS",
        "'dnsConfig: {options: [{name: ndots, value: \"1\"}]}' | pod: dnsConfig: changes the /etc/resolv.conf",
        "'volumes: [{name: runtime, hostPath: {path: /run/containerd/containerd.sock}}]' | pod: volume runtime: "
                + "hostPath: a path of the node",
        "'volumes: [{name: share, nfs: {server: 203.0.113.9, path: /export}}]' | pod: volume share: nfs: the node "
                + "mounts it over its own network",
        "'securityContext: {runAsGroup: 10001}' | pod: securityContext.runAsGroup: 10001 is Sluice's group",
        "'securityContext: {fsGroup: 10001}' | pod: securityContext.fsGroup: 10001 is Sluice's group",
        "'securityContext: {supplementalGroups: [4, 10001]}' | pod: securityContext.supplementalGroups: 10001 is "
                + "Sluice's group"})
    void aPodFieldThatCouldUndoTheLockIsRefusedNamingTheFieldAndWhy(String podField, String refusal) {
        assertThat(refusals(podField + "\ncontainers: [{name: a, image: '" + AVERAGE + "'}]"))
                .singleElement().asString().startsWith(refusal);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "securityContext: {runAsGroup: 10001} | container a: securityContext.runAsGroup: 10001 is Sluice's group",
        "'volumeMounts: [{name: sluice-audit, mountPath: /x}]' | container a: mounts volume sluice-audit, one of "
                + "Sluice's own"})
    void aContainerFieldThatCouldUndoTheLockIsRefusedNamingTheFieldAndWhy(String containerField, String refusal) {
        assertThat(refusals("containers: [{name: a, image: '" + AVERAGE + "', " + containerField + "}]"))
                .singleElement().asString().startsWith(refusal);
    }

    @Test
    void groupsOtherThanSluicesAndTheSafeVolumesAndDnsSettingsStayAllowed() {
        Injection injection = injector.inject(yaml("kind: Pod\nmetadata: {name: p}\nspec:\n" + """
                securityContext: {runAsGroup: 10002, fsGroup: 10002, supplementalGroups: [10003]}
                dnsPolicy: ClusterFirst
                hostPID: false
                containers: [{name: a, image: '%s', securityContext: {runAsGroup: 10002}}]
                volumes:
                  - {name: data, persistentVolumeClaim: {claimName: data}}
                  - {name: scratch, emptyDir: {}}
                  - {name: settings, configMap: {name: settings}}
                """.formatted(AVERAGE).indent(2)));

        assertThat(injection.refusals()).isEmpty();
        assertThat(injection.outcome()).isEqualTo(Injection.Outcome.INJECTED);
    }

    @Test
    void aMalformedPodTemplateIsRefusedNotCrashedOn() {
        assertThat(refusals("containers: {name: a}")).containsExactly("pod: spec.containers is not a list");
        assertThat(refusals("containers: [{name: a, image: '" + AVERAGE + "', env: {A: b}}]"))
                .containsExactly("pod: spec.containers[0].env is not a list");
        assertThat(injector.inject(yaml("{kind: Job, metadata: {name: j}, spec: {}}")).refusals())
                .extracting(Refusal::line).singleElement().asString().startsWith("pod: has no pod template");
        assertThat(injector.inject(yaml("{kind: Pod, metadata: {name: p, labels: [a]}, spec: {containers: [{name: a,"
                + " image: '" + AVERAGE + "'}]}}")).refusals())
                .extracting(Refusal::line).singleElement().asString().contains("labels is not a mapping");
    }

    @Test
    void aListIsInjectedItemByItem() {
        JsonNode list = yaml("""
                apiVersion: v1
                kind: List
                items:
                  - {apiVersion: v1, kind: Service, metadata: {name: s}}
                  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: '%s'}]}}
                """.formatted(AVERAGE));

        Injection injection = injector.inject(list);

        assertThat(injection.outcome()).isEqualTo(Injection.Outcome.INJECTED);
        assertThat(injection.object().at("/items/0")).isEqualTo(list.at("/items/0"));
        assertThat(names(injection.object().at("/items/1/spec/initContainers"))).containsExactly("sluice-init",
                "sluice");
        JsonNode refused = yaml("{kind: List, items: [{kind: Pod, metadata: {name: p}, spec: {containers: "
                + "[{name: a, image: 'registry.example.org/base/ubuntu:1'}]}}]}");
        assertThat(injector.inject(refused).refusals()).extracting(Refusal::line).singleElement().asString()
                .startsWith("container a: items[0] (Pod p) denied: registry.example.org/base/ubuntu:1");
    }

    @Test
    void theConfigMapNameAndImageAreTheSettings() {
        PodInjector custom = new PodInjector(new InjectSettings("registry.example.org/sluice@sha256:" + "4".repeat(64),
                "node-a-policy"), InjectFixtures.basePolicy());

        JsonNode spec = custom.inject(fixture("cronjob.yaml")).object().at("/spec/jobTemplate/spec/template/spec");

        assertThat(spec.at("/initContainers/0/image").asText()).endsWith("4".repeat(64));
        assertThat(spec.at("/initContainers/1/image").asText()).endsWith("4".repeat(64));
        assertThat(spec.path("volumes").findValuesAsText("name")).contains("node-a-policy");
    }
}
