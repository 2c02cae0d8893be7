package org.sluice.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
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
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.TestAbortedException;

/**
 * Network namespaces for the tests in this package that build a pod or a node out of them ({@link
 * NetworkEnforcementIT}, {@link InjectedPodPortsIT}, {@link Vantage6GatewayIT}), and the processes they start in
 * them: named {@code <stem><pid of the JVM>-<random>-<role>}, deleted with everything running in them by {@link
 * #close()} (also from a shutdown hook), and leftovers of earlier runs whose JVM is gone deleted first. Only
 * namespaces with this lab's stem are ever touched; each test has a stem of its own.
 */
final class NamespaceLab implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final String stem;
    private final String testName;
    private final String prefix;
    private final Pattern leftover;
    private final Map<String, Path> tools = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread cleanupOnExit = new Thread(this::cleanUp, "namespace-lab-cleanup");
    private Path work;

    /** Skips (JUnit assumption) unless this is Linux, root, and every tool is found; the message names the test. */
    NamespaceLab(String stem, String testName, List<String> requiredTools) throws IOException {
        this.stem = stem;
        this.testName = testName;
        this.prefix = stem + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        this.leftover = Pattern.compile("^(" + Pattern.quote(stem) + "(\\d+)-[0-9a-f]+-\\w+)");
        skipUnless(testName, System.getProperty("os.name", "").toLowerCase().contains("linux"), "not Linux");
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        skipUnless(testName, uid == 0, "not root (uid " + uid + "): network namespaces and iptables rules need "
                + "root; run as root, e.g. through .ci/run");
        for (String tool : requiredTools) {
            Optional<Path> found = findTool(tool);
            skipUnless(testName, found.isPresent(), tool + " not found (Debian: apt-get install "
                    + Map.of("ip", "iproute2", "setpriv", "util-linux", "curl", "curl", "bash", "bash",
                            "nsenter", "util-linux", "env", "coreutils").getOrDefault(tool, "iptables") + ")");
            tools.put(tool, found.get());
        }
    }

    static void skipUnless(String testName, boolean condition, String why) {
        Assumptions.assumeTrue(condition, () -> testName + " skipped: " + why);
    }

    interface SetUp {
        void run() throws Exception;
    }

    /**
     * Runs a class's {@code @BeforeAll} work; returns why its tests must be skipped, or null. An assumption that
     * fails in {@code @BeforeAll} would report zero tests run, a silent pass; returned, the class can make every
     * test skipped with this message in a {@code @BeforeEach}.
     */
    static String skipReasonOf(SetUp setUp) throws Exception {
        try {
            setUp.run();
            return null;
        } catch (TestAbortedException e) {
            System.err.println(e.getMessage());
            return e.getMessage();
        }
    }

    /** The test classes folder, which the processes started in the namespaces run their stand-ins from. */
    static Path testClasses() {
        try {
            return Path.of(NamespaceLab.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The packaged Sluice jar; skips unless it is built (failsafe runs the tests after package). */
    Path sluiceJar() {
        Path jar = testClasses().getParent().resolve("sluice.jar");
        skipUnless(testName, Files.isRegularFile(jar), jar + " not built: run through ./mvnw verify (failsafe "
                + "runs this test after package)");
        return jar;
    }

    /** Deletes leftovers, registers the clean-up, creates the work folder (readable by the test's other uids). */
    Path open() throws Exception {
        deleteLeftoversOfEarlierRuns();
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
        work = Files.createTempDirectory(prefix + "-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        return work;
    }

    /** A new namespace named {@code <prefix>-<role>} with loopback up; returns its name. */
    String namespace(String role) throws Exception {
        String namespace = prefix + "-" + role;
        CommandResult added = run(List.of(tool("ip"), "netns", "add", namespace));
        skipUnless(testName, added.exitCode() == 0, "cannot create network namespaces: " + added.output().strip());
        namespaces.add(namespace);
        ip(namespace, "link", "set", "lo", "up");
        return namespace;
    }

    /** Skips unless iptables works inside {@code namespace} (it needs the kernel's netfilter for namespaces). */
    void skipUnlessIptablesWorksIn(String namespace) throws Exception {
        CommandResult iptables = run(List.of(tool("ip"), "netns", "exec", namespace, tool("iptables"), "-S"));
        skipUnless(testName, iptables.exitCode() == 0, "iptables does not work in a network namespace here: "
                + iptables.output().strip());
    }

    void ip(String namespace, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool("ip"), "-n", namespace));
        command.addAll(List.of(args));
        CommandResult result = run(command);
        assertThat(result.exitCode()).as("%s%n%s", String.join(" ", command), result.output()).isZero();
    }

    /** A veth pair: {@code device} in {@code namespace}, {@code peerDevice} in {@code peer}; both still down. */
    void veth(String namespace, String device, String peer, String peerDevice) throws Exception {
        ip(namespace, "link", "add", device, "type", "veth", "peer", "name", peerDevice, "netns", peer);
    }

    /** Gives {@code device} these addresses (CIDR; IPv6 ones without duplicate detection, usable at once), then up. */
    void up(String namespace, String device, String... addresses) throws Exception {
        for (String address : addresses) {
            if (address.contains(":")) {
                ip(namespace, "-6", "addr", "add", address, "dev", device, "nodad");
            } else {
                ip(namespace, "addr", "add", address, "dev", device);
            }
        }
        ip(namespace, "link", "set", device, "up");
    }

    /** {@code ip netns exec NAMESPACE}, then setpriv to the uid and its group (uid 0 stays root, capabilities too). */
    List<String> asUid(String namespace, int uid) {
        List<String> command = new ArrayList<>(List.of(tool("ip"), "netns", "exec", namespace));
        if (uid != 0) {
            command.addAll(List.of(tool("setpriv"), "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--"));
        }
        return command;
    }

    /** {@code iptables -S} then {@code ip6tables -S} in the namespace: its rules, to compare between runs. */
    String rules(String namespace) throws Exception {
        return run(List.of(tool("ip"), "netns", "exec", namespace, tool("iptables"), "-S")).output()
                + run(List.of(tool("ip"), "netns", "exec", namespace, tool("ip6tables"), "-S")).output();
    }

    String tool(String name) {
        return tools.get(name).toString();
    }

    CommandResult run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of());
    }

    CommandResult run(List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile(work == null ? Path.of(System.getProperty("java.io.tmpdir")) : work,
                "command-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            // ip and iptables live in /usr/sbin, which a non-login PATH may lack; the guard script needs them too.
            builder.environment().merge("PATH", "/usr/sbin:/sbin", (path, sbin) -> path + ":" + sbin);
            builder.environment().putAll(environment);
            long started = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new CommandResult(-1, Files.readString(output) + "\n(timed out after " + COMMAND_TIMEOUT
                        + ": " + String.join(" ", command) + ")", COMMAND_TIMEOUT.toMillis());
            }
            return new CommandResult(process.exitValue(), Files.readString(output),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Starts a long-running process; its output goes to {@code work/outputName}; {@link #close()} stops it. */
    void start(String outputName, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(outputName).toFile()).start();
        synchronized (processes) {
            processes.add(process);
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits for the condition; fails when it does not hold in time, or at once when a started process exited. */
    void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (int attempt = 0; attempt < 400; attempt++) {
            if (condition.holds()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            synchronized (processes) {
                if (!processes.stream().allMatch(Process::isAlive)) {
                    throw new AssertionError(what + " never came: a process it needs exited; outputs:\n"
                            + outputs());
                }
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

    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException | IllegalArgumentException alreadyRunningOrNeverAdded) {
            // JVM shutting down, or the lab was never opened: nothing to remove
        }
    }

    private static Optional<Path> findTool(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        return Arrays.stream(path.split(":")).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }

    /** Namespaces of this stem whose JVM is gone (killed before it could clean up), and what still runs in them. */
    private void deleteLeftoversOfEarlierRuns() throws Exception {
        for (String line : run(List.of(tool("ip"), "netns", "list")).output().lines().limit(1000).toList()) {
            Matcher found = leftover.matcher(line);
            if (found.find() && !ProcessHandle.of(Long.parseLong(found.group(2))).map(ProcessHandle::isAlive)
                    .orElse(false)) {
                deleteNamespace(found.group(1));
            }
        }
    }

    /** Stops what this run started and deletes its namespaces (with their links) and files. Safe to call twice. */
    private synchronized void cleanUp() {
        List<Process> started;
        synchronized (processes) {
            started = new ArrayList<>(processes);
            processes.clear();
        }
        Collections.reverse(started);
        started.forEach(Process::destroy);
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
                System.err.println(stem + ": could not delete namespace " + namespace + ": " + e);
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
                System.err.println(stem + ": could not delete " + work + ": " + e);
            }
        }
    }

    /** Kills what still runs in the namespace (only this lab starts processes in namespaces so named). */
    private void deleteNamespace(String namespace) throws IOException, InterruptedException {
        for (String pid : run(List.of(tool("ip"), "netns", "pids", namespace)).output().lines().limit(100).toList()) {
            if (pid.strip().matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        run(List.of(tool("ip"), "netns", "del", namespace));
    }

    record CommandResult(int exitCode, String output, long millis) {}
}
