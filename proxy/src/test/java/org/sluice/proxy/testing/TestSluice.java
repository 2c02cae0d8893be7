package org.sluice.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.proxy.SluiceServer;
import org.sluice.proxy.upstream.Connector;
import org.sluice.proxy.audit.AuditLog;

/**
 * A real Sluice started in-process from YAML text, in its own temporary folder. The YAML may use
 * {@code ${dir}} (that folder) and {@code ${audit}} (the audit file in it); listeners should be
 * {@code 127.0.0.1:0}. Closing shuts Sluice down gracefully and deletes the folder.
 */
public final class TestSluice implements AutoCloseable {

    private static final Duration AUDIT_WAIT = Duration.ofSeconds(10);

    private final Path dir;
    private final Path configFile;
    private final Path auditFile;
    private final SluiceServer server;
    private boolean closed;

    private TestSluice(Path dir, Path configFile, Path auditFile, SluiceServer server) {
        this.dir = dir;
        this.configFile = configFile;
        this.auditFile = auditFile;
        this.server = server;
    }

    /** Parses the YAML with {@link ConfigLoader#parse} and starts {@link SluiceServer} with its own audit file. */
    public static TestSluice start(String yaml) throws Exception {
        return start(yaml, (AuditLog) null);
    }

    /** Same, with the given audit log (e.g. one over a sink that fails on demand) instead of the file. */
    public static TestSluice start(String yaml, AuditLog audit) throws Exception {
        return start(yaml, audit, null);
    }

    /**
     * Same, with the forward listener dialling through {@code connector} (e.g. one that records dial attempts and
     * dials nothing) and an audit log on the file.
     */
    public static TestSluice start(String yaml, Connector connector) throws Exception {
        return start(yaml, null, connector);
    }

    private static TestSluice start(String yaml, AuditLog audit, Connector connector) throws Exception {
        Path dir = Files.createTempDirectory("sluice-e2e-");
        try {
            Path configFile = dir.resolve("sluice.yaml");
            Path auditFile = dir.resolve("audit.jsonl");
            String text = yaml.replace("${dir}", dir.toString()).replace("${audit}", auditFile.toString());
            Files.writeString(configFile, text, StandardCharsets.UTF_8);
            SluiceConfig config = ConfigLoader.parse(text, configFile);
            SluiceServer server;
            if (connector != null) {
                server = SluiceServer.start(config, AuditLog.builder(config.audit(), Map.of(), () -> "test")
                        .queueCapacity(AuditLog.DEFAULT_QUEUE_CAPACITY).open(), connector);
            } else {
                server = audit == null ? SluiceServer.start(config) : SluiceServer.start(config, audit);
            }
            return new TestSluice(dir, configFile, auditFile, server);
        } catch (Exception | Error e) {
            deleteRecursively(dir);
            throw e;
        }
    }

    /**
     * Replaces the config file the way an editor saves (a new file in the same folder, renamed over the old one),
     * with the same {@code ${dir}} and {@code ${audit}} substitutions as {@link #start}. Returns the new file's
     * SHA-256, which is the hash of the policy it holds.
     */
    public String replaceConfig(String yaml) {
        byte[] bytes = yaml.replace("${dir}", dir.toString()).replace("${audit}", auditFile.toString())
                .getBytes(StandardCharsets.UTF_8);
        try {
            Path next = Files.createTempFile(dir, "sluice.yaml.", ".tmp");
            Files.write(next, bytes);
            Files.move(next, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ConfigLoader.sha256(bytes);
    }

    /**
     * A gateway config to {@code upstream} on 127.0.0.1:0 with an admin port, followed by the given YAML. Loopback
     * is admitted by {@code allowPrivate}, as every test's central server runs on 127.0.0.1.
     */
    public static String gatewayYaml(String upstream, String rest) {
        return """
                version: 1
                allowPrivate: [127.0.0.0/8]
                gateway:
                  listen: 127.0.0.1:0
                  upstream: %s
                admin:
                  listen: 127.0.0.1:0
                audit:
                  path: ${audit}
                """.formatted(upstream) + rest;
    }

    /**
     * A forward-proxy config: the forward listener on 127.0.0.1:0 asking only {@code dnsServer} (the test's own
     * DNS server on 127.0.0.1; never the machine's), a gateway whose central server is never contacted, then
     * {@code rest} (rules, allowPrivate, ...). Loopback is NOT admitted unless {@code rest} says so.
     */
    public static String forwardYaml(InetSocketAddress dnsServer, String rest) {
        return forwardYaml(dnsServer, "", rest);
    }

    /** Same, with {@code forwardKeys} (YAML lines indented by two spaces, e.g. "  maxTunnels: 1\n") under forward. */
    public static String forwardYaml(InetSocketAddress dnsServer, String forwardKeys, String rest) {
        return """
                version: 1
                gateway:
                  listen: 127.0.0.1:0
                  upstream: http://central.invalid
                forward:
                  listen: 127.0.0.1:0
                  dns:
                    servers: ["127.0.0.1:%d"]
                """.formatted(dnsServer.getPort()) + forwardKeys + """
                audit:
                  path: ${audit}
                """ + rest;
    }

    public int forwardPort() {
        InetSocketAddress forward = server.forwardAddress();
        if (forward == null) {
            throw new IllegalStateException("this Sluice has no forward listener");
        }
        return forward.getPort();
    }

    public SluiceServer server() {
        return server;
    }

    public int gatewayPort() {
        return server.gatewayAddress().getPort();
    }

    public int adminPort() {
        InetSocketAddress admin = server.adminAddress();
        if (admin == null) {
            throw new IllegalStateException("this Sluice has no admin listener");
        }
        return admin.getPort();
    }

    /** http://127.0.0.1:gatewayPort */
    public String gatewayUrl() {
        return "http://127.0.0.1:" + gatewayPort();
    }

    public Path dir() {
        return dir;
    }

    public Path configFile() {
        return configFile;
    }

    public Path auditFile() {
        return auditFile;
    }

    /** Flushes the audit log and returns every record in the audit file. */
    public List<Map<String, Object>> audit() {
        server.auditLog().flush(Duration.ofSeconds(5));
        return JsonLines.read(auditFile);
    }

    /**
     * Waits until the audit file holds at least {@code count} records (Sluice records a request when it
     * finishes, which may be just after the client has its response) and returns them all.
     */
    public List<Map<String, Object>> awaitAudit(int count) {
        return Await.until(this::audit, records -> records.size() >= count, AUDIT_WAIT, count + " audit records");
    }

    /** The raw text of the audit file after a flush. */
    public String auditText() {
        server.auditLog().flush(Duration.ofSeconds(5));
        try {
            return Files.exists(auditFile) ? Files.readString(auditFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } finally {
            deleteRecursively(dir);
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
