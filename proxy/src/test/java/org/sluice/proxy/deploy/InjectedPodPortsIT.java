package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sluice.cli.inject.InjectSettings;
import org.sluice.cli.inject.Injection;
import org.sluice.cli.inject.Manifests;
import org.sluice.cli.inject.PodInjector;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.proxy.deploy.NamespaceLab.CommandResult;

/**
 * A pod that {@code sluice inject} writes for a policy on non-default ports works (issue 16, item 3): the init
 * container's script and environment, taken from the injected manifest, lock a fresh network namespace; Sluice
 * runs there with that policy as the sidecar's user; the sidecar's probes, taken from the manifest, get 200 from
 * where the kubelet sends them (a "node" namespace, to the pod's IP); and the algorithm's HOST/PORT and HTTP_PROXY
 * reach Sluice's listeners under the lock.
 *
 * <p>Needs root, {@code ip netns}, iptables, ip6tables, setpriv, curl and the built jar; without any of them it is
 * skipped with a message naming what is missing. Namespaces are named {@code sluC-<pid>-<random>-<role>}. Run
 * alone: {@code ./mvnw -B -o -pl proxy -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=InjectedPodPortsIT}.
 */
class InjectedPodPortsIT {

    private static final String POD_V4 = "10.232.1.2";
    private static final String NODE_V4 = "10.232.1.1";
    private static final int ALGORITHM_UID = 10002;

    private NamespaceLab lab;
    private String pod;
    private String node;
    private Path work;

    @Test
    void aPodInjectedForNonDefaultPortsBecomesReadyAndItsListenersAreReachable() throws Exception {
        lab = new NamespaceLab("sluC-", "InjectedPodPortsIT", List.of("ip", "iptables", "ip6tables",
                "iptables-restore", "ip6tables-restore", "setpriv", "curl", "bash", "env"));
        Path sluiceJar = lab.sluiceJar();
        work = lab.open();
        Path policy = Files.writeString(work.resolve("sluice.yaml"), """
                version: 1
                gateway:
                  listen: 127.0.0.1:22080
                  upstream: http://%s:80
                  timeouts: { shutdownGrace: 1s }
                forward:
                  listen: 127.0.0.1:22128
                admin:
                  listen: 0.0.0.0:22090
                audit:
                  path: /var/log/sluice/audit.jsonl
                allowPrivate: [10.232.0.0/16]
                rules:
                  - name: central-api
                    methods: [GET]
                    paths: ["/api/**"]
                algorithms:
                  allow:
                    - pattern: 'registry\\.example\\.org/algorithms/[a-z-]+'
                """.formatted(NODE_V4));
        Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rw-r--r--"));

        JsonNode spec = inject(policy).at("/spec/template/spec");
        JsonNode init = spec.at("/initContainers/0");
        JsonNode sidecar = spec.at("/initContainers/1");
        assertThat(init.path("name").asText()).isEqualTo(InjectSettings.INIT);
        assertThat(sidecar.path("name").asText()).isEqualTo(InjectSettings.SIDECAR);

        buildPodAndNode();
        CommandResult locked = runInitContainer(init);
        assertThat(locked.exitCode()).as(locked.output()).isZero();
        assertThat(locked.output()).contains("every user may reach 127.0.0.1 TCP port(s) 22080 22128 22090");

        startSidecar(sidecar, policy, sluiceJar);
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            JsonNode get = sidecar.path(probe).path("httpGet");
            String url = "http://" + POD_V4 + ":" + get.path("port").asInt() + get.path("path").asText();
            lab.await(probe + " " + url + " from the node", () -> "200".equals(curlFromNode(url)));
        }

        Map<String, String> env = new LinkedHashMap<>();
        spec.at("/containers/0/env").forEach(entry -> env.put(entry.path("name").asText(),
                entry.path("value").asText()));
        String gateway = env.get("HOST") + ":" + env.get("PORT");
        assertThat(curlAsAlgorithm(List.of(), gateway + "/readyz")).as("the gateway at HOST:PORT, as the algorithm")
                .isEqualTo("403:denied");
        assertThat(curlAsAlgorithm(List.of("http_proxy=" + env.get("http_proxy")), "http://" + NODE_V4 + "/x"))
                .as("the forward listener at http_proxy, as the algorithm").isEqualTo("403:denied");
        assertThat(curlAsAlgorithm(List.of(), "http://127.0.0.1:" + sidecar.at("/ports/0/containerPort").asInt()
                + "/readyz")).as("the admin port from the pod's view").isEqualTo("200:");
        assertThat(curlFromNode("http://" + POD_V4 + ":22080/readyz"))
                .as("the gateway is not on the pod's IP: it listens on 127.0.0.1").isEqualTo("000");
    }

    @AfterEach
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    // --- what inject wrote ---

    private static JsonNode inject(Path policy) throws Exception {
        PodInjector injector = PodInjector.forPolicy(InjectSettings.defaults(), ConfigLoader.load(policy));
        JsonNode job = Manifests.read(Files.readString(Path.of("src/test/resources/inject/job.yaml"),
                StandardCharsets.UTF_8)).get(0).node();
        Injection injection = injector.inject(job);
        assertThat(injection.outcome()).as(injection.refusals().toString()).isEqualTo(Injection.Outcome.INJECTED);
        return injection.object();
    }

    /** The init container's command (the image's copy of deploy/init/sluice-init.sh) with its env, as root. */
    private CommandResult runInitContainer(JsonNode init) throws Exception {
        assertThat(init.at("/command/0").asText()).isEqualTo("/opt/sluice/sluice-init.sh");
        assertThat(init.at("/securityContext/runAsUser").asInt()).isZero();
        List<String> command = new ArrayList<>(List.of(lab.tool("ip"), "netns", "exec", pod, "env", "-i",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        init.path("env").forEach(entry -> command.add(entry.path("name").asText() + "="
                + entry.path("value").asText()));
        command.add(RepoFiles.root().resolve("deploy/init/sluice-init.sh").toString());
        return lab.run(command);
    }

    /** The sidecar's args, as its runAsUser and runAsGroup, with the audit log in this test's folder. */
    private void startSidecar(JsonNode sidecar, Path policy, Path sluiceJar) throws Exception {
        Path audit = Files.createDirectory(work.resolve("audit"));
        int uid = sidecar.at("/securityContext/runAsUser").asInt();
        Files.setAttribute(audit, "unix:uid", uid);
        // The pod's /var/log/sluice is the sluice-audit volume; here it is this test's folder.
        Path config = Files.writeString(work.resolve("sidecar.yaml"), Files.readString(policy)
                .replace("/var/log/sluice/", audit + "/"));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> args = new ArrayList<>();
        sidecar.path("args").forEach(arg -> args.add(arg.asText().equals("/etc/sluice/sluice.yaml")
                ? config.toString() : arg.asText()));
        List<String> command = new ArrayList<>(List.of(lab.tool("ip"), "netns", "exec", pod, lab.tool("setpriv"),
                "--reuid=" + uid, "--regid=" + sidecar.at("/securityContext/runAsGroup").asInt(), "--clear-groups",
                "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                "-Xmx128m", "-jar", sluiceJar.toString()));
        command.addAll(args);
        lab.start("sluice.out", command);
    }

    // --- the namespaces ---

    /** The pod and a node, joined by a veth pair: the kubelet's probes come from the node to the pod's IP. */
    private void buildPodAndNode() throws Exception {
        pod = lab.namespace("pod");
        node = lab.namespace("node");
        lab.veth(pod, "eth0", node, "node0");
        lab.up(pod, "eth0", POD_V4 + "/30");
        lab.up(node, "node0", NODE_V4 + "/30");
    }

    /** The status code curl got from the node's namespace, or 000 when it got no answer. */
    private String curlFromNode(String url) throws Exception {
        return lab.run(List.of(lab.tool("ip"), "netns", "exec", node, lab.tool("curl"), "-s", "--max-time", "1",
                "-o", "/dev/null", "-w", "%{http_code}", url)).output().strip();
    }

    /** "STATUS:X-Sluice-Error" curl got in the pod as the algorithm's user id. */
    private String curlAsAlgorithm(List<String> environment, String url) throws Exception {
        List<String> command = new ArrayList<>(lab.asUid(pod, ALGORITHM_UID));
        command.addAll(List.of(lab.tool("env"), "-i", "PATH=/usr/bin:/bin"));
        command.addAll(environment);
        command.addAll(List.of(lab.tool("curl"), "-sS", "--max-time", "3", "-o", "/dev/null", "-w",
                "%{http_code}:%header{x-sluice-error}", url));
        return lab.run(command).output().strip();
    }
}
