package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.opentest4j.TestAbortedException;
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
    private static final Pattern LEFTOVER = Pattern.compile("^(" + Pattern.quote(STEM) + "(\\d+)-[0-9a-f]+-\\w+)");

    private static final int SLUICE_UID = 10001;
    private static final int ALGORITHM_UID = 10002;
    private static final int ROOT_UID = 0;
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

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final int RULES_BODY_LIMIT = 1024;

    private final String prefix = STEM + ProcessHandle.current().pid() + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    private final String pod = prefix + "-pod";
    private final String central = prefix + "-central";
    private final String outside = prefix + "-outside";

    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread cleanupOnExit = new Thread(this::cleanUp, "network-enforcement-cleanup");
    private final Map<String, Path> tools = new LinkedHashMap<>();

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

    /**
     * Why the tests are skipped, or null. An assumption that fails in {@code @BeforeAll} would report zero tests
     * run, a silent pass; kept here, it makes every test skipped, with this message, in {@link #skipIfUnable()}.
     */
    private String skipReason;

    @BeforeAll
    void setUp() throws Exception {
        try {
            buildThePodAndLockIt();
        } catch (TestAbortedException e) {
            skipReason = e.getMessage();
            System.err.println(skipReason);
        }
    }

    @BeforeEach
    void skipIfUnable() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
    }

    private void buildThePodAndLockIt() throws Exception {
        checkPrerequisites();
        deleteLeftoversOfEarlierRuns();
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);

        work = Files.createTempDirectory(prefix + "-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
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
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException | IllegalArgumentException alreadyRunningOrNeverAdded) {
            // JVM shutting down, or setup stopped before the hook was added: nothing to remove
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
        await("five audit records", () -> JsonLines.read(auditLog).size() >= 5);
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
        skipUnless(System.getProperty("os.name", "").toLowerCase().contains("linux"), "not Linux");
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        skipUnless(uid == 0, "not root (uid " + uid + "): creating network namespaces and iptables rules needs "
                + "root; run as root, e.g. through .ci/run");
        for (String tool : List.of("ip", "iptables", "ip6tables", "iptables-restore", "ip6tables-restore",
                "setpriv", "curl", "bash")) {
            Optional<Path> found = findTool(tool);
            skipUnless(found.isPresent(), tool + " not found (Debian: apt-get install "
                    + Map.of("ip", "iproute2", "setpriv", "util-linux", "curl", "curl", "bash", "bash")
                            .getOrDefault(tool, "iptables") + ")");
            tools.put(tool, found.get());
        }
        skipUnless(Files.isDirectory(Path.of("/proc/sys/net/ipv6")), "IPv6 is disabled in this kernel");

        try {
            testClasses = Path.of(NamespaceServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        sluiceJar = testClasses.getParent().resolve("sluice.jar");
        skipUnless(Files.isRegularFile(sluiceJar), sluiceJar + " not built: run through ./mvnw verify "
                + "(failsafe runs this test after package)");
        repoRoot = testClasses.getParent().getParent().getParent();
        assertThat(repoRoot.resolve("deploy/init/sluice-init.sh")).isExecutable();
        java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void skipUnless(boolean condition, String why) {
        Assumptions.assumeTrue(condition, () -> "NetworkEnforcementIT skipped: " + why);
    }

    private static Optional<Path> findTool(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        return Arrays.stream(path.split(":")).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }

    /** Namespaces of runs whose JVM is gone (killed before it could clean up), and the processes still in them. */
    private void deleteLeftoversOfEarlierRuns() throws Exception {
        for (String line : run(List.of(tool("ip"), "netns", "list")).output.lines().limit(1000).toList()) {
            Matcher leftover = LEFTOVER.matcher(line);
            if (!leftover.find()) {
                continue;
            }
            long owner = Long.parseLong(leftover.group(2));
            boolean ownerRuns = ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false);
            if (!ownerRuns) {
                deleteNamespace(leftover.group(1));
            }
        }
    }

    private void buildTopology() throws Exception {
        for (String namespace : List.of(pod, central, outside)) {
            CommandResult added = run(List.of(tool("ip"), "netns", "add", namespace));
            skipUnless(added.exitCode == 0, "cannot create network namespaces: " + added.output.strip());
            namespaces.add(namespace);
            ip(namespace, "link", "set", "lo", "up");
        }
        CommandResult iptables = run(List.of(tool("ip"), "netns", "exec", pod, tool("iptables"), "-S"));
        skipUnless(iptables.exitCode == 0, "iptables does not work in a network namespace here: "
                + iptables.output.strip());
        link(central, "central0", "10.231.1.1/30", "fd31:0:0:1::1/64", CENTRAL_V4 + "/30", CENTRAL_V6 + "/64");
        link(outside, "outside0", "10.231.2.1/30", "fd31:0:0:2::1/64", OUTSIDE_V4 + "/30", OUTSIDE_V6 + "/64");
    }

    /** A veth pair from the pod (device {@code podSide}) to {@code peer} (device {@code pod0}). */
    private void link(String peer, String podSide, String podV4, String podV6, String peerV4, String peerV6)
            throws Exception {
        ip(pod, "link", "add", podSide, "type", "veth", "peer", "name", "pod0", "netns", peer);
        ip(pod, "addr", "add", podV4, "dev", podSide);
        ip(pod, "-6", "addr", "add", podV6, "dev", podSide, "nodad");
        ip(pod, "link", "set", podSide, "up");
        ip(peer, "addr", "add", peerV4, "dev", "pod0");
        ip(peer, "-6", "addr", "add", peerV6, "dev", "pod0", "nodad");
        ip(peer, "link", "set", "pod0", "up");
    }

    private void ip(String namespace, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool("ip"), "-n", namespace));
        command.addAll(List.of(args));
        CommandResult result = run(command);
        assertThat(result.exitCode).as("%s%n%s", String.join(" ", command), result.output).isZero();
    }

    private void startNamespaceServer(String namespace) throws Exception {
        Path log = work.resolve(namespace + ".log");
        start(namespace + ".out", tool("ip"), "netns", "exec", namespace, java, "-XX:-UsePerfData", "-Xmx64m",
                "-cp", testClasses.toString(), NamespaceServer.class.getName(), log.toString());
        await("the stand-in in " + namespace, () -> Files.exists(log) && Files.readString(log).contains("ready"));
    }

    private InitRun runInitScript() throws Exception {
        CommandResult init = run(List.of(tool("ip"), "netns", "exec", pod,
                repoRoot.resolve("deploy/init/sluice-init.sh").toString()));
        String rules = run(List.of(tool("ip"), "netns", "exec", pod, tool("iptables"), "-S")).output
                + run(List.of(tool("ip"), "netns", "exec", pod, tool("ip6tables"), "-S")).output;
        return new InitRun(init.exitCode, init.output, rules);
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
        List<String> command = new ArrayList<>(asUid(SLUICE_UID));
        command.addAll(List.of(java, "-XX:-UsePerfData", "-Xmx128m", "-jar", sluiceJar.toString(), "run",
                "--config", config.toString()));
        start("sluice.out", command.toArray(String[]::new));
        await("Sluice's /readyz", () -> "200".equals(run(List.of(tool("ip"), "netns", "exec", pod, tool("curl"),
                "-s", "--max-time", "1", "-o", "/dev/null", "-w", "%{http_code}",
                "http://127.0.0.1:9090/readyz")).output.strip()));
    }

    // --- the algorithm's attempts ---

    private Map<String, ProbeResult> probe(int uid, String label) throws Exception {
        return probe(asUid(uid), label, ALL_TARGETS);
    }

    private Map<String, ProbeResult> probe(List<String> as, String label, List<String> targets) throws Exception {
        List<String> command = new ArrayList<>(as);
        command.addAll(List.of(java, "-XX:-UsePerfData", "-Xshare:auto", "-Xmx32m", "-cp", testClasses.toString(),
                EgressProbe.class.getName(), label));
        command.addAll(targets);
        CommandResult result = run(command);
        assertThat(result.exitCode).as("probe %s: %s", label, result.output).isZero();
        Map<String, ProbeResult> results = new LinkedHashMap<>();
        for (String line : result.output.lines().toList()) {
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
        List<String> command = new ArrayList<>(asUid(ALGORITHM_UID));
        command.addAll(List.of("env", "-i", "PATH=/usr/bin:/bin"));
        command.addAll(environment);
        command.addAll(List.of(tool("curl"), "-sS", "--max-time", "3", "-o", "/dev/null", "-w",
                "%{http_code}:%header{x-sluice-error}", "-H", "Content-Type: application/json"));
        command.addAll(List.of(args));
        return run(command).output.strip();
    }

    /** Root whose bounding set is empty: after exec it has no capability, as a container with drop: [ALL]. */
    private List<String> asRootWithoutCapabilities() {
        return List.of(tool("ip"), "netns", "exec", pod, tool("setpriv"), "--bounding-set=-all", "--inh-caps=-all",
                "--");
    }

    /** Root that keeps CAP_SETUID and CAP_SETGID (in the runtimes' default set) and uses them to become Sluice. */
    private List<String> asRootThatTakesSluicesUid() {
        return List.of(tool("ip"), "netns", "exec", pod, tool("setpriv"), "--bounding-set=-all,+setuid,+setgid",
                "--inh-caps=-all", "--", tool("setpriv"), "--reuid=" + SLUICE_UID, "--regid=" + SLUICE_UID,
                "--clear-groups", "--");
    }

    /** {@code ip netns exec POD}, then setpriv to the uid (root stays root). */
    private List<String> asUid(int uid) {
        List<String> command = new ArrayList<>(List.of(tool("ip"), "netns", "exec", pod));
        if (uid != ROOT_UID) {
            command.addAll(List.of(tool("setpriv"), "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--"));
        }
        return command;
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

    // --- processes and clean-up ---

    private String tool(String name) {
        return tools.get(name).toString();
    }

    private CommandResult run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(work == null ? Path.of(System.getProperty("java.io.tmpdir")) : work,
                "command-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            // iptables and ip live in /usr/sbin, which a non-login PATH may lack; the init script needs them too.
            builder.environment().merge("PATH", "/usr/sbin:/sbin", (path, sbin) -> path + ":" + sbin);
            Process process = builder.start();
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new CommandResult(-1, Files.readString(output) + "\n(timed out after " + COMMAND_TIMEOUT
                        + ": " + String.join(" ", command) + ")");
            }
            return new CommandResult(process.exitValue(), Files.readString(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private void start(String outputName, String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(outputName).toFile()).start();
        synchronized (processes) {
            processes.add(process);
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (int attempt = 0; attempt < 400; attempt++) {
            if (condition.holds()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            synchronized (processes) {
                processes.wait(50);
            }
        }
        throw new AssertionError(what + " not ready within " + START_TIMEOUT + "; outputs:\n" + outputs());
    }

    private String outputs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(work)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".out")).sorted().toList()) {
                all.append("== ").append(file.getFileName()).append('\n').append(Files.readString(file));
            }
        }
        return all.toString();
    }

    /** Stops what this run started and deletes its namespaces (with their veths) and files. Safe to call twice. */
    private synchronized void cleanUp() {
        List<Process> started;
        synchronized (processes) {
            started = new ArrayList<>(processes);
            processes.clear();
        }
        Collections.reverse(started);
        for (Process process : started) {
            process.destroy();
        }
        for (Process process : started) {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String namespace : List.copyOf(namespaces)) {
            try {
                deleteNamespace(namespace);
                namespaces.remove(namespace);
            } catch (IOException | InterruptedException e) {
                System.err.println("NetworkEnforcementIT: could not delete namespace " + namespace + ": " + e);
            }
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> {
                    try {
                        Files.deleteIfExists(path);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                System.err.println("NetworkEnforcementIT: could not delete " + work + ": " + e);
            }
        }
    }

    /** Kills what still runs in the namespace (only this test starts processes in namespaces so named). */
    private void deleteNamespace(String namespace) throws IOException, InterruptedException {
        for (String pid : run(List.of(tool("ip"), "netns", "pids", namespace)).output.lines().limit(100).toList()) {
            if (pid.strip().matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        run(List.of(tool("ip"), "netns", "del", namespace));
    }

    private record CommandResult(int exitCode, String output) {}

    private record InitRun(int exitCode, String output, String rules) {}

    private record ProbeResult(String target, boolean ok, long millis, String line) {}
}
