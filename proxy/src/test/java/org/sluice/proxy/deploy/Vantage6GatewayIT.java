package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.sluice.proxy.deploy.NamespaceLab.CommandResult;
import org.sluice.proxy.testing.JsonLines;

/**
 * The proof that on a vantage6 node wired as docs/operations.md says, an algorithm reaches the node's proxy server
 * only through Sluice. A bridge (the node's isolated algorithm network, 10.232.1.0/24 and fd32::/64) joins three
 * namespaces: the algorithm (.4), Sluice (.2) and the node (.3), whose stand-in proxy server ({@link
 * NodeProxyStandIn}) listens on every address, port 8080 and one other. The node has a link of its own to a
 * central server (10.232.2.2), Sluice one to a host outside (10.232.3.2); nothing is in the machine's namespace.
 * Sluice runs {@code examples/vantage6.yaml} with only the node's name, its address and the audit path replaced;
 * {@code deploy/vantage6/proxy-guard.sh} runs unchanged in the node's namespace.
 *
 * <p>There is no DNS here: the node's name {@code proxyserver} is given to curl with {@code --resolve}, which is
 * what Docker's resolver would answer. The controls: the algorithm reaches the node directly before the guard, and
 * the node and Sluice reach their own links, so a refusal afterwards is the guard's doing, not the topology's.
 * The strongest assertions are on the stand-in's side: what it logged, and from which address.
 *
 * <p>Needs root, {@code ip netns}, iptables, ip6tables, setpriv and curl; without them the class is skipped with a
 * message naming what is missing. Run alone:
 * {@code ./mvnw -B -o -pl proxy -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=Vantage6GatewayIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Vantage6GatewayIT {

    private static final String NAME = "Vantage6GatewayIT";
    private static final int SLUICE_UID = 10001;
    private static final int ALGORITHM_UID = 10002;
    private static final int ROOT_UID = 0;

    private static final String SLUICE = "10.232.1.2";
    private static final String NODE = "10.232.1.3";
    private static final String ALGORITHM = "10.232.1.4";
    private static final String NODE_V6 = "fd32::3";
    private static final String CENTRAL = "10.232.2.2";
    private static final String OUTSIDE = "10.232.3.2";
    private static final String GATEWAY = "http://" + SLUICE + ":8080";
    private static final String FORWARD_PROXY = "http_proxy=http://" + SLUICE + ":3128";
    private static final int SUBTASK_BODY_LIMIT = 10 * 1024 * 1024;

    /** Every call of vantage6's AlgorithmClient with API_PATH="" (vantage6-algorithm-tools), as it sends it. */
    private static final List<String> CLIENT_CALLS = List.of(
            "GET /organization?collaboration_id=3&page=1", "GET /organization?study_id=5&page=1",
            "GET /organization/12", "GET /collaboration/3", "GET /study?collaboration_id=3&page=1",
            "GET /study/5", "GET /task/41", "GET /task/41/status", "POST /task", "GET /run?task_id=41&page=1",
            "GET /run/77", "GET /result?task_id=41&page=1", "GET /result/77",
            "GET /vpn/algorithm/addresses?only_children=1");
    /** Through Sluice, refused by the shipped policy (blobstream/status: the client then assumes no blob store). */
    private static final List<String> REFUSED_BY_POLICY = List.of("GET /blobstream/status", "GET /user",
            "PATCH /task/41", "GET /run?task_id=41&page=1&per_page=1000", "DELETE /organization/12");

    private final Map<String, Attempt> controls = new LinkedHashMap<>();
    private final Map<String, Attempt> throughSluice = new LinkedHashMap<>();
    private final Map<String, Attempt> bypasses = new LinkedHashMap<>();
    private NamespaceLab lab;
    private Path work;
    private Path testClasses;
    private Path repoRoot;
    private String java;
    private String algorithm;
    private String sluice;
    private String node;
    private String central;
    private String outside;
    private CommandResult firstGuard;
    private CommandResult secondGuard;
    private String rulesAfterFirst;
    private String rulesAfterSecond;
    private Attempt oversizeSubtask;
    private Attempt spoofedSource;

    /** Why the tests are skipped, or null (kept, so that every test is reported skipped with it). */
    private String skipReason;

    @BeforeAll
    void setUp() throws Exception {
        skipReason = NamespaceLab.skipReasonOf(this::buildTheNodeAndTryEveryWay);
    }

    @BeforeEach
    void skipIfUnable() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
    }

    @AfterAll
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private void buildTheNodeAndTryEveryWay() throws Exception {
        lab = new NamespaceLab("sluF-", NAME, List.of("ip", "iptables", "ip6tables", "iptables-restore",
                "ip6tables-restore", "setpriv", "curl", "bash"));
        testClasses = NamespaceLab.testClasses();
        Path sluiceJar = lab.sluiceJar();
        repoRoot = testClasses.getParent().getParent().getParent();
        java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        work = lab.open();
        buildTopology();
        startStandIns();
        tryTheControls();

        Path guard = repoRoot.resolve("deploy/vantage6/proxy-guard.sh");
        Map<String, String> guardEnv = Map.of("SLUICE_ADDRESS", SLUICE, "SLUICE_MAC", macOf(sluice, "eth0"));
        firstGuard = lab.run(List.of(lab.tool("ip"), "netns", "exec", node, guard.toString()), guardEnv);
        rulesAfterFirst = lab.rules(node);
        secondGuard = lab.run(List.of(lab.tool("ip"), "netns", "exec", node, guard.toString()), guardEnv);
        rulesAfterSecond = lab.rules(node);

        startSluice(sluiceJar);
        for (String call : CLIENT_CALLS) {
            throughSluice.put(call, throughGateway(call, "{\"name\":\"subtask\"}"));
        }
        for (String call : REFUSED_BY_POLICY) {
            throughSluice.put(call, throughGateway(call, null));
        }
        oversizeSubtask = throughGateway("POST /task", "x".repeat(SUBTASK_BODY_LIMIT + 1));
        tryTheBypasses();
    }

    // --- the tests ---

    @Test
    @Order(1)
    void controlTheAlgorithmReachesTheNodeDirectlyBeforeTheGuard() {
        controls.forEach((what, attempt) -> assertThat(attempt.status).as("control: %s: %s", what, attempt)
                .isEqualTo("200"));
    }

    @Test
    @Order(2)
    void guardScriptSucceedsAndIsIdempotent() {
        assertThat(firstGuard.exitCode()).as("first run: %s", firstGuard.output()).isZero();
        assertThat(secondGuard.exitCode()).as("second run: %s", secondGuard.output()).isZero();
        assertThat(firstGuard.output()).contains("-A SLUICE_GUARD -s " + SLUICE + "/32 -i eth0");
        assertThat(rulesAfterSecond).as("iptables -S and ip6tables -S after the second run")
                .isEqualTo(rulesAfterFirst);
        assertThat(Pattern.compile("(?m)^-A (INPUT|FORWARD) -j SLUICE_GUARD$").matcher(rulesAfterSecond).results()
                .count()).as("jumps (INPUT and FORWARD, IPv4 and IPv6) in%n%s", rulesAfterSecond).isEqualTo(4);
    }

    @Test
    @Order(3)
    void everyAlgorithmClientCallWorksThroughSluice() {
        for (String call : CLIENT_CALLS) {
            assertThat(throughSluice.get(call).status).as("%s through Sluice: %s", call, throughSluice.get(call))
                    .isEqualTo("200");
        }
    }

    @Test
    @Order(4)
    void sluiceRefusesWhatThePolicyDoesNotAllow() {
        for (String call : REFUSED_BY_POLICY) {
            assertThat(throughSluice.get(call).statusAndError()).as(call).isEqualTo("403 denied");
        }
        assertThat(oversizeSubtask.statusAndError()).as("a subtask one byte over its limit")
                .isEqualTo("413 body_too_large");
    }

    @Test
    @Order(5)
    void everyWayAroundSluiceIsRefusedAtOnce() {
        assertThat(bypasses).isNotEmpty();
        bypasses.forEach((what, attempt) -> {
            assertThat(attempt.status).as("%s should be refused: %s", what, attempt).isNotEqualTo("200");
            if (attempt.exitCode == 0) {
                assertThat(attempt.statusAndError()).as("%s: refused by Sluice's forward listener", what)
                        .isEqualTo("403 denied");
            } else {
                assertThat(attempt.exitCode).as("%s: curl cannot connect (7): %s", what, attempt).isEqualTo(7);
                assertThat(attempt.millis).as("%s: refused, not dropped: %s", what, attempt).isLessThan(2_000);
            }
        });
    }

    @Test
    @Order(6)
    void rootWithSluicesAddressIsRefusedByTheMacPin() {
        assertThat(spoofedSource.status).as("root in the algorithm's namespace with Sluice's address: %s",
                spoofedSource).isNotEqualTo("200");
    }

    @Test
    @Order(7)
    void theNodeSawOnlyWhatCameThroughSluice() throws IOException {
        List<String> lines = Files.readAllLines(work.resolve("node.log")).stream().filter(l -> !l.equals("ready"))
                .toList();
        List<String> fromControls = lines.stream().filter(l -> l.contains(" /control/")).toList();
        assertThat(fromControls).as("the algorithm's controls, before the guard")
                .hasSize((int) controls.keySet().stream().filter(c -> c.startsWith("node by")).count())
                .allMatch(l -> l.contains(" " + ALGORITHM + " ") || l.contains(" fd32:0:0:0:0:0:0:4 "));
        List<String> rest = lines.stream().filter(l -> !l.contains(" /control/")).toList();
        assertThat(rest).as("after the guard, every request the node got").allMatch(l -> l.endsWith(
                " " + SLUICE + " " + NodeProxyStandIn.PROXY_PORT));
        assertThat(rest).extracting(l -> l.split(" ")[0] + " " + l.split(" ")[1]).as("the client's calls, each once")
                .containsExactlyElementsOf(CLIENT_CALLS);
        assertThat(rest).filteredOn(l -> l.startsWith("POST /task ")).singleElement().asString()
                .contains(" task " + SLUICE);
    }

    @Test
    @Order(8)
    void eachRequestTheNodeSawHasItsAuditRecord() throws Exception {
        Path auditLog = work.resolve("audit").resolve("audit.jsonl");
        int expected = CLIENT_CALLS.size() + REFUSED_BY_POLICY.size() + 1 + 3; // + oversize, 3 forward refusals
        lab.await("the audit records", () -> Files.exists(auditLog) && JsonLines.read(auditLog).size() >= expected);
        List<Map<String, Object>> records = JsonLines.read(auditLog);
        assertThat(records).hasSize(expected);
        List<String> allowed = records.stream().filter(r -> "allow".equals(r.get("decision"))
                && Long.valueOf(200).equals(r.get("status")))
                .map(r -> r.get("listener") + " " + r.get("method") + " " + r.get("host") + " " + r.get("path"))
                .toList();
        assertThat(allowed).as("allowed records, one per request the node logged").containsExactlyElementsOf(
                CLIENT_CALLS.stream().map(c -> "gateway " + c.replaceFirst("\\?.*", "").replace(" ", " " + NODE + " "))
                        .toList());
        assertThat(records).filteredOn(r -> "forward".equals(r.get("listener"))).extracting(r -> r.get("host")
                + " " + r.get("decision")).containsExactlyInAnyOrder(CENTRAL + " deny", OUTSIDE + " deny",
                        NODE + " deny");
        assertThat(Files.readString(auditLog)).as("query strings are never written").doesNotContain("task_id=");
    }

    @Test
    @Order(9)
    void centralServerAndOutsideSawOnlyTheControls() throws IOException {
        assertThat(Files.readAllLines(work.resolve("central.log"))).filteredOn(l -> l.startsWith("http "))
                .containsExactly("http GET /control/node 0");
        assertThat(Files.readAllLines(work.resolve("outside.log"))).filteredOn(l -> l.startsWith("http "))
                .containsExactly("http GET /control/sluice 0");
    }

    // --- the topology ---

    private void buildTopology() throws Exception {
        String net = lab.namespace("net");
        algorithm = lab.namespace("algorithm");
        sluice = lab.namespace("sluice");
        node = lab.namespace("node");
        central = lab.namespace("central");
        outside = lab.namespace("outside");
        lab.skipUnlessIptablesWorksIn(node);
        // The isolated network: a bridge in a namespace of its own, as Docker's bridge for an internal network.
        lab.ip(net, "link", "add", "br0", "type", "bridge");
        lab.ip(net, "link", "set", "br0", "up");
        onTheBridge(net, algorithm, "p-algorithm", ALGORITHM, "fd32::4");
        onTheBridge(net, sluice, "p-sluice", SLUICE, "fd32::2");
        onTheBridge(net, node, "p-node", NODE, "fd32::3");
        link(node, "up0", "10.232.2.1/30", central, CENTRAL + "/30");
        link(sluice, "out0", "10.232.3.1/30", outside, OUTSIDE + "/30");
    }

    private void onTheBridge(String net, String namespace, String port, String v4, String v6) throws Exception {
        lab.veth(namespace, "eth0", net, port);
        lab.up(namespace, "eth0", v4 + "/24", v6 + "/64");
        lab.ip(net, "link", "set", port, "master", "br0");
        lab.up(net, port);
    }

    private void link(String from, String device, String fromV4, String to, String toV4) throws Exception {
        lab.veth(from, device, to, "eth0");
        lab.up(from, device, fromV4);
        lab.up(to, "eth0", toV4);
    }

    private void startStandIns() throws Exception {
        Path nodeLog = work.resolve("node.log");
        lab.start("node.out", List.of(lab.tool("ip"), "netns", "exec", node, java, "-XX:-UsePerfData", "-Xmx64m",
                "-cp", testClasses.toString(), NodeProxyStandIn.class.getName(), nodeLog.toString()));
        for (String namespace : List.of(central, outside)) {
            Path log = work.resolve((namespace.equals(central) ? "central" : "outside") + ".log");
            lab.start(log.getFileName() + ".out", List.of(lab.tool("ip"), "netns", "exec", namespace, java,
                    "-XX:-UsePerfData", "-Xmx64m", "-cp", testClasses.toString(), NamespaceServer.class.getName(),
                    log.toString()));
            lab.await("the stand-in in " + namespace, () -> Files.exists(log)
                    && Files.readString(log).contains("ready"));
        }
        lab.await("the node proxy stand-in", () -> Files.exists(nodeLog) && Files.readString(nodeLog)
                .contains("ready"));
    }

    private void tryTheControls() throws Exception {
        controls.put("node by IPv4, proxy port", curl(algorithm, ALGORITHM_UID, List.of(),
                "http://" + NODE + ":8080/control/ipv4"));
        controls.put("node by IPv4, another port", curl(algorithm, ALGORITHM_UID, List.of(),
                "http://" + NODE + ":9999/control/other-port"));
        controls.put("node by IPv6", curl(algorithm, ALGORITHM_UID, List.of(),
                "http://[" + NODE_V6 + "]:8080/control/ipv6"));
        controls.put("node -> central server", curl(node, ROOT_UID, List.of(), "http://" + CENTRAL + "/control/node"));
        controls.put("Sluice -> outside", curl(sluice, ROOT_UID, List.of(), "http://" + OUTSIDE + "/control/sluice"));
    }

    private void tryTheBypasses() throws Exception {
        String direct = "/organization/12";
        bypasses.put("node proxy by IP", curl(algorithm, ALGORITHM_UID, List.of(),
                "http://" + NODE + ":8080" + direct));
        bypasses.put("node proxy by its name", curl(algorithm, ALGORITHM_UID, List.of(), "--resolve",
                "proxyserver:8080:" + NODE, "http://proxyserver:8080" + direct));
        bypasses.put("node on another port", curl(algorithm, ALGORITHM_UID, List.of(), "http://" + NODE + ":9999"
                + direct));
        bypasses.put("node proxy by IPv6", curl(algorithm, ALGORITHM_UID, List.of(), "http://[" + NODE_V6 + "]:8080"
                + direct));
        bypasses.put("node proxy as root", curl(algorithm, ROOT_UID, List.of(), "http://" + NODE + ":8080" + direct));
        bypasses.put("central server directly", curl(algorithm, ALGORITHM_UID, List.of(), "http://" + CENTRAL
                + "/api/task/41"));
        bypasses.put("outside directly", curl(algorithm, ALGORITHM_UID, List.of(), "http://" + OUTSIDE + "/"));
        bypasses.put("central server through the forward listener", curl(algorithm, ALGORITHM_UID,
                List.of(FORWARD_PROXY), "http://" + CENTRAL + "/api/task/41"));
        bypasses.put("outside through the forward listener", curl(algorithm, ALGORITHM_UID, List.of(FORWARD_PROXY),
                "http://" + OUTSIDE + "/"));
        bypasses.put("node proxy's other routes through the forward listener", curl(algorithm, ALGORITHM_UID,
                List.of(FORWARD_PROXY), "http://" + NODE + ":8080/user"));
        // Root with NET_ADMIN (which vantage6 does not give an algorithm) takes Sluice's address. With its neighbour
        // cache flushed, it asks for the node's MAC as Sluice (sender IP), which would teach the node that Sluice's
        // address is at the algorithm's MAC: the pinned neighbour entry and the MAC match in the guard hold.
        lab.ip(algorithm, "addr", "add", SLUICE + "/32", "dev", "eth0");
        lab.ip(algorithm, "neigh", "flush", "dev", "eth0");
        spoofedSource = curl(algorithm, ROOT_UID, List.of(), "--interface", SLUICE, "--max-time", "2",
                "http://" + NODE + ":8080" + direct);
        lab.ip(algorithm, "addr", "del", SLUICE + "/32", "dev", "eth0");
    }

    private void startSluice(Path sluiceJar) throws Exception {
        Path audit = work.resolve("audit");
        Files.createDirectory(audit);
        Files.setAttribute(audit, "unix:uid", SLUICE_UID);
        String shipped = Files.readString(repoRoot.resolve("examples/vantage6.yaml"));
        String policy = replaceOnce(replaceOnce(shipped, "allowPrivate: [172.30.6.3/32]",
                "allowPrivate: [" + NODE + "/32]"), "path: /var/log/sluice/audit.jsonl",
                "path: " + audit.resolve("audit.jsonl")).replace("proxyserver", NODE);
        Path config = work.resolve("vantage6.yaml");
        Files.writeString(config, policy);
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> command = new ArrayList<>(lab.asUid(sluice, SLUICE_UID));
        command.addAll(List.of(java, "-XX:-UsePerfData", "-Xmx128m", "-jar", sluiceJar.toString(), "run",
                "--config", config.toString()));
        lab.start("sluice.out", command);
        lab.await("Sluice's /readyz", () -> "200".equals(lab.run(List.of(lab.tool("ip"), "netns", "exec", sluice,
                lab.tool("curl"), "-s", "--max-time", "1", "-o", "/dev/null", "-w", "%{http_code}",
                "http://127.0.0.1:9090/readyz")).output().strip()));
    }

    private static String replaceOnce(String text, String from, String to) {
        assertThat(text).as("examples/vantage6.yaml still has '%s'", from).contains(from);
        return text.replace(from, to);
    }

    // --- the attempts ---

    /** {@code METHOD PATH?QUERY} to Sluice's gateway as the algorithm, with {@code body} (or none). */
    private Attempt throughGateway(String call, String body) throws Exception {
        String[] parts = call.split(" ", 2);
        List<String> args = new ArrayList<>(List.of("-X", parts[0]));
        if ("POST".equals(parts[0]) && body != null) {
            Path file = work.resolve("body-" + body.length() + ".json");
            if (!Files.exists(file)) {
                Files.writeString(file, body);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            }
            args.addAll(List.of("--data-binary", "@" + file));
        }
        args.add(GATEWAY + parts[1]);
        return curl(algorithm, ALGORITHM_UID, List.of(), args.toArray(String[]::new));
    }

    private Attempt curl(String namespace, int uid, List<String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(lab.asUid(namespace, uid));
        command.addAll(List.of("env", "-i", "PATH=/usr/bin:/bin"));
        command.addAll(environment);
        command.addAll(List.of(lab.tool("curl"), "-sS", "--max-time", "3", "-o", "/dev/null", "-w",
                "%{http_code} %header{x-sluice-error}|", "-H", "Content-Type: application/json"));
        command.addAll(List.of(args));
        CommandResult result = lab.run(command);
        Matcher written = Pattern.compile("(\\d{3}) ([a-z_]*)\\|").matcher(result.output());
        boolean found = written.find();
        return new Attempt(result.exitCode(), found ? written.group(1) : "000", found ? written.group(2) : "",
                result.millis(), result.output().strip());
    }

    private String macOf(String namespace, String device) throws Exception {
        String link = lab.run(List.of(lab.tool("ip"), "-n", namespace, "-o", "link", "show", device)).output();
        Matcher mac = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(link);
        assertThat(mac.find()).as("a MAC address in %s", link).isTrue();
        return mac.group(1);
    }

    private record Attempt(int exitCode, String status, String error, long millis, String output) {
        String statusAndError() {
            return status + " " + error;
        }

        @Override
        public String toString() {
            return "curl exit " + exitCode + ", " + status + " " + error + " in " + millis + " ms: "
                    + output.replace('\n', ' ');
        }
    }
}
