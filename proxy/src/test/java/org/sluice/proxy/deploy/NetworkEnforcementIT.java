package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The proof that a pod locked by {@code deploy/init/sluice-init.sh} has one way out, Sluice. Builds three network
 * namespaces, a pod, a central server and a host outside, joined by veth pairs (10.231.1.0/30 and fd31:0:0:1::/64
 * pod-central, 10.231.2.0/30 and fd31:0:0:2::/64 pod-outside; nothing in the machine's own namespace, no route
 * off it), runs the init script unchanged in the pod, starts Sluice there as uid 10001, and then tries every way
 * out as the algorithm (uid 10002) and as root without capabilities (an empty bounding set, as {@code drop: [ALL]}
 * gives an injected container). It also shows why the capabilities must go: root that keeps only CAP_SETUID and
 * CAP_SETGID becomes Sluice's uid and goes out. The control: the same attempts all succeed as the algorithm before
 * the rules and as Sluice's uid after them, so a failure is the rules, not a broken topology. The strongest
 * assertions are on the receiving side: the central server's and the outside host's logs.
 *
 * <p>Needs root, {@code ip netns}, iptables, ip6tables, setpriv and curl; without any of them the class is
 * skipped with a message naming what is missing. Run alone:
 * {@code ./mvnw -B verify -pl proxy -am -Dit.test=NetworkEnforcementIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkEnforcementIT {

    /** Every namespace this test creates is named {@code sluit-<pid of the JVM>-<random>-<role>}. */
    private static final String STEM = "sluit-";
    private static final String NAME = "NetworkEnforcementIT";

    private static final int SLUICE_UID = 10001;
    private static final int ALGORITHM_UID = 10002;
    /** Contains neither "root" nor "algorithm": the central server and outside host see Sluice's uid here. */
    private static final String SETUID_LABEL = "capsetuid";

    private static final String CENTRAL_V4 = "10.231.1.2";
    private static final String CENTRAL_V6 = "fd31:0:0:1::2";
    private static final String OUTSIDE_V4 = "10.231.2.2";
    private static final String OUTSIDE_V6 = "fd31:0:0:2::2";

    private static final String TCP_OUTSIDE_V4 = "tcp:" + OUTSIDE_V4 + ":80";
    private static final String TCP_OUTSIDE_V6 = "tcp:[" + OUTSIDE_V6 + "]:80";
    private static final String TCP_CENTRAL_V4 = "tcp:" + CENTRAL_V4 + ":80";
    private static final String TCP_CENTRAL_V6 = "tcp:[" + CENTRAL_V6 + "]:80";
    private static final String UDP_OUTSIDE_V4 = "udp:" + OUTSIDE_V4 + ":9999";
    private static final String UDP_OUTSIDE_V6 = "udp:[" + OUTSIDE_V6 + "]:9999";
    private static final String DNS_OUTSIDE_V4 = "dns:" + OUTSIDE_V4;
    private static final String DNS_OUTSIDE_V6 = "dns:[" + OUTSIDE_V6 + "]";
    private static final String DNS_CENTRAL_V4 = "dns:" + CENTRAL_V4;
    private static final String DNS_CENTRAL_V6 = "dns:[" + CENTRAL_V6 + "]";
    private static final String LOOPBACK = "loopback";
    private static final List<String> ALL_TARGETS = List.of(TCP_OUTSIDE_V4, TCP_OUTSIDE_V6, TCP_CENTRAL_V4,
            TCP_CENTRAL_V6, UDP_OUTSIDE_V4, UDP_OUTSIDE_V6, DNS_OUTSIDE_V4, DNS_OUTSIDE_V6, DNS_CENTRAL_V4,
            DNS_CENTRAL_V6, LOOPBACK);

    private static final int RULES_BODY_LIMIT = 1024;

    private NamespaceLab lab;
    private String pod;
    private String central;
    private String outside;

    private Path work;
    private Path repoRoot;
    private Path testClasses;
    private Path sluiceJar;
    private String java;

    private Map<String, ProbeResult> beforeRules;
    private Map<String, ProbeResult> algorithm;
    private Map<String, ProbeResult> root;
    private Map<String, ProbeResult> rootWithSetuid;
    private Map<String, ProbeResult> sluiceUid;
    private InitRun firstInit;
    private InitRun secondInit;

    /** Why the tests are skipped, or null (kept, so that every test is reported skipped with it). */
    private String skipReason;

    @BeforeAll
    void setUp() throws Exception {
        skipReason = NamespaceLab.skipReasonOf(this::buildThePodAndLockIt);
    }

    @BeforeEach
    void skipIfUnable() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
    }

    private void buildThePodAndLockIt() throws Exception {
        checkPrerequisites();
        work = lab.open();
        buildTopology();
        startNamespaceServer(central);
        startNamespaceServer(outside);

        beforeRules = probe(ALGORITHM_UID, "before");

        firstInit = runInitScript();
        secondInit = runInitScript();

        startSluice();
        algorithm = probe(ALGORITHM_UID, "algorithm");
        root = probe(asRootWithoutCapabilities(), "root", ALL_TARGETS);
        rootWithSetuid = probe(asRootThatTakesSluicesUid(), SETUID_LABEL, List.of(TCP_OUTSIDE_V4));
        sluiceUid = probe(SLUICE_UID, "sluice");
    }

    @AfterAll
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void controlEveryWayOutWorksBeforeTheRules() {
        assertAll(beforeRules, true, "uid " + ALGORITHM_UID + " before sluice-init.sh ran");
    }

    @Test
    @Order(2)
    void initScriptSucceedsAndIsIdempotent() {
        assertThat(firstInit.exitCode).as("first run's exit code; output:%n%s", firstInit.output).isZero();
        assertThat(secondInit.exitCode).as("second run's exit code; output:%n%s", secondInit.output).isZero();
        assertThat(firstInit.output).contains("-A OUTPUT -j SLUICE_OUT", "-N SLUICE_OUT");
        assertThat(secondInit.rules).as("iptables -S and ip6tables -S after the second run")
                .isEqualTo(firstInit.rules);
        assertThat(Pattern.compile("(?m)^-A OUTPUT -j SLUICE_OUT$").matcher(secondInit.rules).results().count())
                .as("jumps to SLUICE_OUT (one for IPv4, one for IPv6) in%n%s", secondInit.rules).isEqualTo(2);
    }

    @Test
    @Order(3)
    void controlSluiceUidStillReachesEverything() {
        assertAll(sluiceUid, true, "Sluice's uid " + SLUICE_UID + " after the rules");
    }

    @Test
    @Order(4)
    void algorithmCannotOpenTcpToTheOutsideHost() {
        assertRejected(algorithm, TCP_OUTSIDE_V4);
    }

    @Test
    @Order(5)
    void algorithmCannotSendUdpToTheOutsideHost() {
        assertRejected(algorithm, UDP_OUTSIDE_V4);
    }

    @Test
    @Order(6)
    void algorithmCannotReachAnyResolver() {
        assertRejected(algorithm, DNS_OUTSIDE_V4, DNS_CENTRAL_V4, DNS_OUTSIDE_V6, DNS_CENTRAL_V6);
    }

    @Test
    @Order(7)
    void algorithmHasNoIpv6() {
        assertRejected(algorithm, TCP_OUTSIDE_V6, TCP_CENTRAL_V6, UDP_OUTSIDE_V6, DNS_OUTSIDE_V6);
    }

    @Test
    @Order(8)
    void algorithmCannotReachTheCentralServerDirectly() {
        assertRejected(algorithm, TCP_CENTRAL_V4, TCP_CENTRAL_V6);
    }

    @Test
    @Order(9)
    void algorithmCannotUseOtherLoopbackPorts() {
        assertRejected(algorithm, LOOPBACK);
    }

    @Test
    @Order(10)
    void rootWithoutCapabilitiesIsLockedInToo() {
        assertAll(root, false, "root (uid 0) without capabilities after the rules");
    }

    /** Why the lock assumes CAP_SETUID is dropped: it is in Docker's and containerd's default set. */
    @Test
    @Order(10)
    void rootWithSetuidBecomesSluicesUidAndGoesOut() {
        assertThat(rootWithSetuid.get(TCP_OUTSIDE_V4).ok).as("root with CAP_SETUID, as uid %d: %s", SLUICE_UID,
                rootWithSetuid.get(TCP_OUTSIDE_V4).line).isTrue();
    }

    @Test
    @Order(11)
    void gatewayForwardsTheAllowedAndRefusesTheRest() throws Exception {
        Path small = writeBody("small.json", "{\"mean\":4.2}".getBytes(StandardCharsets.US_ASCII));
        Path oversize = writeBody("oversize.json", new byte[RULES_BODY_LIMIT + 1]);
        String gateway = "http://127.0.0.1:8080";

        assertThat(curl(List.of(), gateway + "/api/tasks/7")).isEqualTo("200:");
        assertThat(curl(List.of(), gateway + "/admin/export")).isEqualTo("403:denied");
        assertThat(curl(List.of(), "--data-binary", "@" + oversize, gateway + "/api/results"))
                .isEqualTo("413:body_too_large");
        assertThat(curl(List.of(), "--data-binary", "@" + small, gateway + "/api/results")).isEqualTo("200:");
    }

    @Test
    @Order(12)
    void forwardListenerRefusesTheOutsideHost() throws Exception {
        assertThat(curl(List.of("http_proxy=http://127.0.0.1:3128"), "http://" + OUTSIDE_V4 + "/api/tasks/7"))
                .isEqualTo("403:denied");
    }

    @Test
    @Order(13)
    void centralServerSawExactlyTheAllowedRequests() throws IOException {
        List<String> requests = serverLog(central).stream().filter(line -> line.startsWith("http ")).toList();
        assertThat(requests).as("HTTP requests the central server received").containsExactly(
                "http GET /probe/before 0", "http GET /probe/before 0", // the controls: v4 and v6
                "http GET /probe/sluice 0", "http GET /probe/sluice 0",
                "http GET /api/tasks/7 0", "http POST /api/results 12");
        assertNothingFromTheLockedUsers(central);
    }

    @Test
    @Order(14)
    void outsideHostSawNothingFromTheLockedUsers() throws IOException {
        assertThat(serverLog(outside).stream().filter(line -> line.startsWith("http ")).toList())
                .as("HTTP requests the outside host received")
                .containsExactly("http GET /probe/before 0", "http GET /probe/before 0",
                                "http GET /probe/" + SETUID_LABEL + " 0", // root with CAP_SETUID, as uid 10001
                        "http GET /probe/sluice 0", "http GET /probe/sluice 0");
        assertNothingFromTheLockedUsers(outside);
    }

    @Test
    @Order(15)
    void auditLogRecordsEveryRequestThroughSluice() throws Exception {
        Path auditLog = work.resolve("audit").resolve("audit.jsonl");
        lab.await("five audit records", () -> JsonLines.read(auditLog).size() >= 5);
        assertThat(JsonLines.read(auditLog)).extracting(r -> r.get("listener") + " " + r.get("method") + " "
                + r.get("host") + " " + r.get("path") + " " + r.get("decision") + " " + r.get("status"))
                .containsExactly(
                        "gateway GET " + CENTRAL_V4 + " /api/tasks/7 allow 200",
                        "gateway GET " + CENTRAL_V4 + " /admin/export deny 403",
                        "gateway POST " + CENTRAL_V4 + " /api/results allow 413",
                        "gateway POST " + CENTRAL_V4 + " /api/results allow 200",
                        "forward GET " + OUTSIDE_V4 + " /api/tasks/7 deny 403");
    }

    // --- assertions ---

    private static void assertAll(Map<String, ProbeResult> results, boolean reachable, String who) {
        assertThat(results.keySet()).as("probes run as %s", who).containsExactlyInAnyOrderElementsOf(ALL_TARGETS);
        results.values().forEach(result -> assertThat(result.ok)
                .as("%s: %s should %s; got %s", who, result.target, reachable ? "work" : "fail", result.line)
                .isEqualTo(reachable));
        if (!reachable) {
            results.values().forEach(NetworkEnforcementIT::assertFastFailure);
        }
    }

    private void assertRejected(Map<String, ProbeResult> results, String... targets) {
        for (String target : targets) {
            assertThat(beforeRules.get(target).ok).as("control: %s worked before the rules", target).isTrue();
            assertThat(sluiceUid.get(target).ok).as("control: %s works for Sluice's uid", target).isTrue();
            ProbeResult result = results.get(target);
            assertThat(result.ok).as("%s as uid %d should fail; got %s", target, ALGORITHM_UID, result.line)
                    .isFalse();
            assertFastFailure(result);
        }
    }

    /** Rejected, not dropped: the client learns at once instead of waiting out its timeout. */
    private static void assertFastFailure(ProbeResult result) {
        assertThat(result.millis).as("%s should be refused at once, not time out: %s", result.target, result.line)
                .isLessThan(EgressProbe.TIMEOUT_MILLIS);
    }

    private void assertNothingFromTheLockedUsers(String namespace) throws IOException {
        assertThat(serverLog(namespace)).as("%s's log", namespace)
                .noneMatch(line -> line.contains("algorithm") || line.contains("root"));
    }

    // --- the topology ---

    private void checkPrerequisites() throws IOException {
        lab = new NamespaceLab(STEM, NAME, List.of("ip", "iptables", "ip6tables", "iptables-restore",
                "ip6tables-restore", "setpriv", "curl", "bash"));
        NamespaceLab.skipUnless(NAME, Files.isDirectory(Path.of("/proc/sys/net/ipv6")),
                "IPv6 is disabled in this kernel");
        testClasses = NamespaceLab.testClasses();
        sluiceJar = lab.sluiceJar();
        repoRoot = testClasses.getParent().getParent().getParent();
        assertThat(repoRoot.resolve("deploy/init/sluice-init.sh")).isExecutable();
        java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void buildTopology() throws Exception {
        pod = lab.namespace("pod");
        central = lab.namespace("central");
        outside = lab.namespace("outside");
        lab.skipUnlessIptablesWorksIn(pod);
        link(central, "central0", "10.231.1.1/30", "fd31:0:0:1::1/64", CENTRAL_V4 + "/30", CENTRAL_V6 + "/64");
        link(outside, "outside0", "10.231.2.1/30", "fd31:0:0:2::1/64", OUTSIDE_V4 + "/30", OUTSIDE_V6 + "/64");
    }

    /** A veth pair from the pod (device {@code podSide}) to {@code peer} (device {@code pod0}). */
    private void link(String peer, String podSide, String podV4, String podV6, String peerV4, String peerV6)
            throws Exception {
        lab.veth(pod, podSide, peer, "pod0");
        lab.up(pod, podSide, podV4, podV6);
        lab.up(peer, "pod0", peerV4, peerV6);
    }

    private void startNamespaceServer(String namespace) throws Exception {
        Path log = work.resolve(namespace + ".log");
        lab.start(namespace + ".out", List.of(lab.tool("ip"), "netns", "exec", namespace, java, "-XX:-UsePerfData",
                "-Xmx64m", "-cp", testClasses.toString(), NamespaceServer.class.getName(), log.toString()));
        lab.await("the stand-in in " + namespace, () -> Files.exists(log) && Files.readString(log).contains("ready"));
    }

    private InitRun runInitScript() throws Exception {
        CommandResult init = lab.run(List.of(lab.tool("ip"), "netns", "exec", pod,
                repoRoot.resolve("deploy/init/sluice-init.sh").toString()));
        return new InitRun(init.exitCode(), init.output(), lab.rules(pod));
    }

    private void startSluice() throws Exception {
        Path audit = work.resolve("audit");
        Files.createDirectory(audit);
        Files.setAttribute(audit, "unix:uid", SLUICE_UID);
        Path config = work.resolve("sluice.yaml");
        Files.writeString(config, """
                version: 1
                gateway:
                  listen: 127.0.0.1:8080
                  upstream: http://%1$s:80
                  timeouts: { shutdownGrace: 1s }
                forward:
                  listen: 127.0.0.1:3128
                admin:
                  listen: 127.0.0.1:9090
                audit:
                  path: %2$s/audit.jsonl
                allowPrivate: [10.231.0.0/16]
                rules:
                  - name: central-read
                    methods: [GET]
                    paths: ["/api/**"]
                    hosts: [%1$s]
                  - name: central-results
                    methods: [POST]
                    paths: ["/api/results"]
                    hosts: [%1$s]
                    limits: { maxRequestBodyBytes: %3$d }
                """.formatted(CENTRAL_V4, audit, RULES_BODY_LIMIT));
        List<String> command = new ArrayList<>(lab.asUid(pod, SLUICE_UID));
        command.addAll(List.of(java, "-XX:-UsePerfData", "-Xmx128m", "-jar", sluiceJar.toString(), "run",
                "--config", config.toString()));
        lab.start("sluice.out", command);
        lab.await("Sluice's /readyz", () -> "200".equals(lab.run(List.of(lab.tool("ip"), "netns", "exec", pod,
                lab.tool("curl"), "-s", "--max-time", "1", "-o", "/dev/null", "-w", "%{http_code}",
                "http://127.0.0.1:9090/readyz")).output().strip()));
    }

    // --- the algorithm's attempts ---

    private Map<String, ProbeResult> probe(int uid, String label) throws Exception {
        return probe(lab.asUid(pod, uid), label, ALL_TARGETS);
    }

    private Map<String, ProbeResult> probe(List<String> as, String label, List<String> targets) throws Exception {
        List<String> command = new ArrayList<>(as);
        command.addAll(List.of(java, "-XX:-UsePerfData", "-Xshare:auto", "-Xmx32m", "-cp", testClasses.toString(),
                EgressProbe.class.getName(), label));
        command.addAll(targets);
        CommandResult result = lab.run(command);
        assertThat(result.exitCode()).as("probe %s: %s", label, result.output()).isZero();
        Map<String, ProbeResult> results = new LinkedHashMap<>();
        for (String line : result.output().lines().toList()) {
            String[] fields = line.split(" ", 4);
            if (fields.length >= 3 && targets.contains(fields[0])) {
                results.put(fields[0], new ProbeResult(fields[0], "ok".equals(fields[1]),
                        Long.parseLong(fields[2]), line));
            }
        }
        return results;
    }

    /** Runs curl in the pod as the algorithm; returns "STATUS:X-Sluice-Error" ("200:" without the header). */
    private String curl(List<String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(lab.asUid(pod, ALGORITHM_UID));
        command.addAll(List.of("env", "-i", "PATH=/usr/bin:/bin"));
        command.addAll(environment);
        command.addAll(List.of(lab.tool("curl"), "-sS", "--max-time", "3", "-o", "/dev/null", "-w",
                "%{http_code}:%header{x-sluice-error}", "-H", "Content-Type: application/json"));
        command.addAll(List.of(args));
        return lab.run(command).output().strip();
    }

    /** Root whose bounding set is empty: after exec it has no capability, as a container with drop: [ALL]. */
    private List<String> asRootWithoutCapabilities() {
        return List.of(lab.tool("ip"), "netns", "exec", pod, lab.tool("setpriv"), "--bounding-set=-all",
                "--inh-caps=-all", "--");
    }

    /** Root that keeps CAP_SETUID and CAP_SETGID (in the runtimes' default set) and uses them to become Sluice. */
    private List<String> asRootThatTakesSluicesUid() {
        return List.of(lab.tool("ip"), "netns", "exec", pod, lab.tool("setpriv"),
                "--bounding-set=-all,+setuid,+setgid", "--inh-caps=-all", "--", lab.tool("setpriv"),
                "--reuid=" + SLUICE_UID, "--regid=" + SLUICE_UID, "--clear-groups", "--");
    }

    private Path writeBody(String name, byte[] body) throws IOException {
        Path file = work.resolve(name);
        Files.write(file, body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private List<String> serverLog(String namespace) throws IOException {
        return Files.readAllLines(work.resolve(namespace + ".log"));
    }

    private record InitRun(int exitCode, String output, String rules) {}

    private record ProbeResult(String target, boolean ok, long millis, String line) {}
}
