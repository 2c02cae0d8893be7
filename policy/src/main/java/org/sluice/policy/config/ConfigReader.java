package org.sluice.policy.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.sluice.policy.Mode;
import org.sluice.policy.net.Cidr;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Turns the composed YAML tree of a config file into a validated {@link SluiceConfig}, or every problem in it. */
final class ConfigReader {

    static final List<String> TOP_KEYS = List.of("version", "mode", "allowNetworkAccess", "gateway", "admin", "limits",
            "audit", "rules", "algorithms", "allowPrivate", "forward", "budgets");
    private static final List<String> GATEWAY_KEYS = List.of("listen", "upstream", "timeouts", "maxConnections",
            "maxConnectionsPerClient");
    private static final List<String> UPSTREAM_KEYS = List.of("url", "caFile", "maxConnectionsPerLoop",
            "pinSha256", "clientCert", "clientKey", "headers", "clientAuthorization");
    private static final List<String> FORWARD_KEYS = List.of("listen", "maxConnections", "maxConnectionsPerClient",
            "maxTunnels", "timeouts", "dns");
    private static final List<String> FORWARD_TIMEOUT_KEYS = List.of("connect", "response", "idle", "requestHeader",
            "minBodyRate", "clientHello", "tunnelIdle");
    private static final List<String> TIMEOUT_KEYS = List.of("connect", "response", "idle", "shutdownGrace",
            "requestHeader", "minBodyRate");
    private static final List<String> LIMIT_KEYS =
            List.of("maxRequestBodyBytes", "maxResponseBodyBytes", "maxUrlBytes", "maxHeaderBytes");
    private static final List<String> AUDIT_KEYS = List.of("path", "job", "node", "fsync", "fsyncInterval",
            "onFailure", "stdout", "query", "rotate", "checkpoint", "signing");
    private static final List<String> ROTATE_KEYS = List.of("maxBytes", "interval", "compress");
    private static final List<String> CHECKPOINT_KEYS = List.of("every", "interval");
    private static final List<String> SIGNING_KEYS = List.of("keyFile");
    private static final int MAX_IDENTITY_CHARS = 200;
    private static final long MAX_CHECKPOINT_EVERY = 1_000_000_000L;
    private static final Duration MAX_ROTATE_INTERVAL = Duration.ofDays(366);
    private static final String LISTEN = "host:port, e.g. 0.0.0.0:8080";
    private static final int MAX_CONNECTIONS_PER_LOOP = 10_000;
    /** Above any file-descriptor limit a host would set; a cap this high is no cap. */
    private static final int MAX_CONNECTIONS = 10_000_000;

    private final NodeReader in;
    private final Path source;
    /** Relative file names in the config are read from the config's own folder, not the working directory. */
    private final Path folder;

    ConfigReader(Path source) {
        this.in = new NodeReader(source);
        this.source = source;
        Path parent = source.toAbsolutePath().getParent();
        this.folder = parent == null ? source.toAbsolutePath() : parent;
    }

    SluiceConfig read(Node root, String sha256) throws ConfigException {
        if (root == null) {
            in.problem(new Position(source, 1, 1), "the config is empty; expected a mapping with keys "
                    + String.join(", ", TOP_KEYS));
            throw new ConfigException(in.sortedProblems());
        }
        NodeReader.Entries top = in.mapping(root, "", TOP_KEYS);
        if (top == null) {
            throw new ConfigException(in.sortedProblems());
        }
        readVersion(top.required("version", "version: 1"));
        Mode mode = readMode(top.value("mode"));
        boolean allowNetworkAccess = readAllowNetworkAccess(top.value("allowNetworkAccess"));
        Node gatewayNode = top.value("gateway");
        GatewayConfig gateway = readGateway(gatewayNode);
        Node adminNode = top.value("admin");
        AdminConfig admin = adminNode == null ? null : readAdmin(adminNode);
        Node limitsNode = top.value("limits");
        Limits limits = limitsNode == null ? Limits.DEFAULTS : readLimits(limitsNode);
        AuditConfig audit = readAudit(top.required("audit", "a mapping with path, e.g. audit: {path: audit.jsonl}"));
        Node rulesNode = top.value("rules");
        ReferencedFiles files = new ReferencedFiles();
        List<RuleConfig> rules = rulesNode == null ? List.of()
                : new RuleReader(in, new ContentReader(in, folder, files)).read(rulesNode);
        AlgorithmsConfig algorithms = new AlgorithmsReader(in).read(top.value("algorithms"));
        List<Cidr> allowPrivate = readAllowPrivate(top.value("allowPrivate"));
        UpstreamAddressCheck.check(in, gatewayNode, gateway, allowPrivate);
        Node forwardNode = top.value("forward");
        ForwardConfig forward = forwardNode == null ? null : readForward(forwardNode, gateway, admin);
        checkListeners(root, gatewayNode, forwardNode, top.value("allowNetworkAccess"), allowNetworkAccess);
        Node budgetsNode = top.value("budgets");
        BudgetsConfig budgets = new BudgetsReader(in).read(budgetsNode);
        if (in.hasProblems()) {
            throw new ConfigException(in.sortedProblems());
        }
        return new SluiceConfig(source, files.policyHash(sha256), 1, mode, allowNetworkAccess, gateway, admin, limits,
                audit, rules, algorithms, allowPrivate, forward, budgets);
    }

    /**
     * A config needs a listener: the gateway, the forward listener, or both. Forward-only (a sidecar whose hosts are
     * all reached through HTTP_PROXY) cannot also shut the network, which would leave nothing reachable.
     */
    private void checkListeners(Node root, Node gatewayNode, Node forwardNode, Node networkNode, boolean network) {
        if (gatewayNode == null && forwardNode == null) {
            in.problem(root, "the config has no listener: Sluice needs gateway (a mapping with listen and upstream, "
                    + "the central server), forward (a mapping with listen, for HTTP_PROXY), or both");
        } else if (gatewayNode == null && !network) {
            in.problem(networkNode, "allowNetworkAccess: false leaves only the gateway's upstream reachable, and "
                    + "this config has no gateway, so every request would be denied; add a gateway or set "
                    + "allowNetworkAccess: true");
        }
    }

    private void readVersion(Node node) {
        if (node == null) {
            return;
        }
        String text = in.text(node, "version", "1");
        if (text != null && !text.equals("1")) {
            in.problem(node, "version '" + NodeReader.shorten(text) + "' is not supported; expected version: 1");
        }
    }

    private Mode readMode(Node node) {
        return node == null ? Mode.ENFORCE : mode(in, node, "mode");
    }

    /** Absent means true: the forward listener follows the rules. */
    private boolean readAllowNetworkAccess(Node node) {
        return bool(node, "allowNetworkAccess", true);
    }

    /** Absent means none: every non-public address is refused. Each bad block is a problem at its own item. */
    private List<Cidr> readAllowPrivate(Node node) {
        if (node == null) {
            return List.of();
        }
        List<ScalarNode> items = in.stringList(node, "allowPrivate", "[10.20.0.0/16, \"fd00:1234::/32\"]");
        if (items == null) {
            return List.of();
        }
        List<Cidr> blocks = new ArrayList<>();
        for (ScalarNode item : items) {
            Cidr block = parsed(item, "allowPrivate", "a CIDR block such as 10.20.0.0/16", Cidr::parse);
            if (block != null) {
                blocks.add(block);
            }
        }
        return List.copyOf(blocks);
    }

    /** enforce or report; null (with a problem) otherwise. */
    static Mode mode(NodeReader in, Node node, String key) {
        String text = in.text(node, key, "enforce or report");
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "enforce" -> Mode.ENFORCE;
            case "report" -> Mode.REPORT;
            default -> {
                in.problem(node, key + ": expected enforce or report, got '" + NodeReader.shorten(text) + "'");
                yield null;
            }
        };
    }

    private GatewayConfig readGateway(Node node) {
        if (node == null) {
            return null;
        }
        NodeReader.Entries gateway = in.mapping(node, "gateway", GATEWAY_KEYS);
        if (gateway == null) {
            return null;
        }
        ListenAddress listen = listen(gateway.required("listen", LISTEN), "gateway.listen");
        UpstreamConfig upstream = readUpstreamWithHeaders(gateway.required("upstream",
                "the central server's URL, e.g. https://central.example.org"));
        Node timeoutsNode = gateway.value("timeouts");
        GatewayTimeouts timeouts = timeoutsNode == null ? GatewayTimeouts.DEFAULTS : readTimeouts(timeoutsNode);
        ConnectionCaps d = ConnectionCaps.DEFAULTS;
        int maxConnections = cap(gateway.value("maxConnections"), "gateway.maxConnections", d.maxConnections());
        int perClient = cap(gateway.value("maxConnectionsPerClient"), "gateway.maxConnectionsPerClient",
                d.maxConnectionsPerClient());
        return new GatewayConfig(listen, upstream, timeouts, new ConnectionCaps(maxConnections, perClient));
    }

    /** The forward section; its listen address may not be one another listener binds. */
    private ForwardConfig readForward(Node node, GatewayConfig gateway, AdminConfig admin) {
        NodeReader.Entries forward = in.mapping(node, "forward", FORWARD_KEYS);
        if (forward == null) {
            return null;
        }
        Node listenNode = forward.required("listen", "host:port, e.g. 127.0.0.1:3128");
        ListenAddress listen = listen(listenNode, "forward.listen");
        if (listen != null) {
            clash(listenNode, listen, "gateway.listen", gateway == null ? null : gateway.listen());
            clash(listenNode, listen, "admin.listen", admin == null ? null : admin.listen());
        }
        ConnectionCaps d = ConnectionCaps.DEFAULTS;
        int maxConnections = cap(forward.value("maxConnections"), "forward.maxConnections", d.maxConnections());
        int perClient = cap(forward.value("maxConnectionsPerClient"), "forward.maxConnectionsPerClient",
                d.maxConnectionsPerClient());
        int maxTunnels = cap(forward.value("maxTunnels"), "forward.maxTunnels", ForwardConfig.DEFAULT_MAX_TUNNELS);
        Node timeoutsNode = forward.value("timeouts");
        ForwardTimeouts timeouts = timeoutsNode == null ? ForwardTimeouts.DEFAULTS
                : readForwardTimeouts(timeoutsNode);
        Node dnsNode = forward.value("dns");
        DnsConfig dns = dnsNode == null ? DnsConfig.DEFAULTS : new DnsReader(in, folder).read(dnsNode);
        return new ForwardConfig(listen, timeouts, new ConnectionCaps(maxConnections, perClient), maxTunnels, dns);
    }

    /**
     * A problem at node when listen binds the same port as other on the same host (or on the wildcard address,
     * which takes the port on every host). Port 0 picks a free port each time, so it never clashes.
     */
    private void clash(Node node, ListenAddress listen, String otherKey, ListenAddress other) {
        if (other == null || listen.port() == 0 || listen.port() != other.port()) {
            return;
        }
        if (listen.host().equalsIgnoreCase(other.host()) || isWildcard(listen.host()) || isWildcard(other.host())) {
            in.problem(node, "forward.listen: " + listen.host() + ":" + listen.port() + " is also " + otherKey
                    + " (" + other.host() + ":" + other.port() + "); each listener needs a port of its own, e.g. "
                    + "127.0.0.1:3128");
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    private ForwardTimeouts readForwardTimeouts(Node node) {
        ForwardTimeouts d = ForwardTimeouts.DEFAULTS;
        NodeReader.Entries timeouts = in.mapping(node, "forward.timeouts", FORWARD_TIMEOUT_KEYS);
        if (timeouts == null) {
            return d;
        }
        Duration min = Duration.ofMillis(1);
        return new ForwardTimeouts(
                duration(timeouts.value("connect"), "forward.timeouts.connect", d.connect(), min),
                duration(timeouts.value("response"), "forward.timeouts.response", d.response(), min),
                duration(timeouts.value("idle"), "forward.timeouts.idle", d.idle(), min),
                duration(timeouts.value("requestHeader"), "forward.timeouts.requestHeader", d.requestHeader(), min),
                size(timeouts.value("minBodyRate"), "forward.timeouts.minBodyRate", d.minBodyRate(), 0,
                        Integer.MAX_VALUE),
                duration(timeouts.value("clientHello"), "forward.timeouts.clientHello", d.clientHello(), min),
                duration(timeouts.value("tunnelIdle"), "forward.timeouts.tunnelIdle", d.tunnelIdle(), min));
    }

    private int cap(Node node, String key, int fallback) {
        if (node == null) {
            return fallback;
        }
        Long value = wholeNumber(node, key, 1, MAX_CONNECTIONS);
        return value == null ? fallback : value.intValue();
    }

    private UpstreamConfig readUpstreamWithHeaders(Node node) {
        UpstreamConfig config = readUpstream(node);
        return config == null ? null : new InjectedHeadersReader(in, folder).withHeaders(config, node);
    }

    private UpstreamConfig readUpstream(Node node) {
        if (node == null) {
            return null;
        }
        if (node instanceof ScalarNode) {
            return upstream(node, in.text(node, "gateway.upstream", "a URL such as https://central.example.org"),
                    null, null, UpstreamConfig.DEFAULT_MAX_CONNECTIONS_PER_LOOP);
        }
        if (!(node instanceof MappingNode)) {
            in.problem(node, "gateway.upstream: expected a URL such as https://central.example.org or a mapping "
                    + "with keys " + String.join(", ", UPSTREAM_KEYS) + ", got " + NodeReader.describe(node));
            return null;
        }
        NodeReader.Entries upstream = in.mapping(node, "gateway.upstream", UPSTREAM_KEYS);
        Node urlNode = upstream.required("url", "the central server's URL, e.g. https://central.example.org");
        String url = urlNode == null ? null : in.text(urlNode, "gateway.upstream.url", "a URL");
        Node caNode = upstream.value("caFile");
        Path caFile = caNode == null ? null : existingFile(caNode, "gateway.upstream.caFile",
                "a PEM file of trusted CAs");
        Node maxNode = upstream.value("maxConnectionsPerLoop");
        int max = UpstreamConfig.DEFAULT_MAX_CONNECTIONS_PER_LOOP;
        if (maxNode != null) {
            Long value = wholeNumber(maxNode, "gateway.upstream.maxConnectionsPerLoop", 1, MAX_CONNECTIONS_PER_LOOP);
            max = value == null ? max : value.intValue();
        }
        UpstreamConfig config = upstream(urlNode, url, caNode, caFile, max);
        Node pinNode = upstream.value("pinSha256");
        List<String> pins = pinNode == null ? List.of() : pins(pinNode);
        if (pinNode != null && config != null && !config.tls()) {
            in.problem(pinNode, "gateway.upstream.pinSha256: only an https upstream has a certificate to pin; "
                    + "remove pinSha256 or use an https URL");
        }
        Node certNode = upstream.value("clientCert");
        Node keyNode = upstream.value("clientKey");
        if (certNode == null && keyNode == null) {
            return config == null ? null : config.withTls(pins, null, null);
        }
        if (certNode == null || keyNode == null) {
            Node present = certNode == null ? keyNode : certNode;
            in.problem(present, "gateway.upstream: clientCert and clientKey go together; add "
                    + (certNode == null ? "clientCert (the PEM certificate of this key)" : "clientKey (the PKCS#8 PEM "
                    + "private key of this certificate)") + " or remove both");
            return null;
        }
        if (config != null && !config.tls()) {
            in.problem(certNode, "gateway.upstream.clientCert: only an https upstream can ask for a client "
                    + "certificate; remove clientCert and clientKey or use an https URL");
        }
        Path cert = existingFile(certNode, "gateway.upstream.clientCert", "a PEM client certificate");
        Path key = existingFile(keyNode, "gateway.upstream.clientKey", "a PKCS#8 PEM private key");
        if (cert == null || key == null) {
            return null;
        }
        String problem = ClientCertificates.check(cert, key);
        if (problem != null) {
            in.problem(problem.startsWith(ClientCertificates.CERT) ? certNode : keyNode, problem);
            return null;
        }
        return config == null ? null : config.withTls(pins, cert, key);
    }

    /** Each pin is the base64 of a 32-byte SHA-256 (of a SubjectPublicKeyInfo), normalised to padded base64. */
    private List<String> pins(Node node) {
        String key = "gateway.upstream.pinSha256";
        List<ScalarNode> items = in.stringList(node, key, "[\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"]");
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            in.problem(node, key + ": expected at least one pin; remove the key to turn pinning off");
        }
        List<String> pins = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String text = items.get(i).getValue().trim();
            byte[] hash = null;
            try {
                hash = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                // reported below
            }
            if (hash == null || hash.length != 32) {
                in.problem(items.get(i), key + "[" + i + "]: expected the base64 of a SHA-256 hash (44 characters "
                        + "ending in '='), got '" + NodeReader.shorten(text) + "'");
            } else {
                pins.add(Base64.getEncoder().encodeToString(hash));
            }
        }
        return pins;
    }

    private UpstreamConfig upstream(Node urlNode, String url, Node caNode, Path caFile, int maxConnections) {
        if (url == null) {
            return null;
        }
        try {
            UpstreamConfig upstream = Addresses.upstream(url, caFile, maxConnections);
            if (caNode != null && !upstream.tls()) {
                in.problem(caNode, "gateway.upstream.caFile: only an https upstream uses a CA file; "
                        + "remove caFile or use an https URL");
            }
            return upstream;
        } catch (IllegalArgumentException e) {
            in.problem(urlNode, "gateway.upstream: " + e.getMessage());
            return null;
        }
    }

    private GatewayTimeouts readTimeouts(Node node) {
        NodeReader.Entries timeouts = in.mapping(node, "gateway.timeouts", TIMEOUT_KEYS);
        if (timeouts == null) {
            return GatewayTimeouts.DEFAULTS;
        }
        GatewayTimeouts d = GatewayTimeouts.DEFAULTS;
        return new GatewayTimeouts(
                duration(timeouts.value("connect"), "gateway.timeouts.connect", d.connect(), Duration.ofMillis(1)),
                duration(timeouts.value("response"), "gateway.timeouts.response", d.response(), Duration.ofMillis(1)),
                duration(timeouts.value("idle"), "gateway.timeouts.idle", d.idle(), Duration.ofMillis(1)),
                duration(timeouts.value("shutdownGrace"), "gateway.timeouts.shutdownGrace", d.shutdownGrace(),
                        Duration.ZERO),
                duration(timeouts.value("requestHeader"), "gateway.timeouts.requestHeader", d.requestHeader(),
                        Duration.ofMillis(1)),
                size(timeouts.value("minBodyRate"), "gateway.timeouts.minBodyRate", d.minBodyRate(), 0,
                        Integer.MAX_VALUE));
    }

    /** Durations are capped at Integer.MAX_VALUE ms so that the proxy may hand any of them to an int-millis API. */
    private Duration duration(Node node, String key, Duration fallback, Duration min) {
        return duration(node, key, fallback, min, Duration.ofMillis(Integer.MAX_VALUE));
    }

    private Duration duration(Node node, String key, Duration fallback, Duration min, Duration max) {
        return duration(in, node, key, fallback, min, max);
    }

    /** A duration within [min, max]; fallback when absent or invalid (then with a problem). */
    static Duration duration(NodeReader in, Node node, String key, Duration fallback, Duration min, Duration max) {
        if (node == null) {
            return fallback;
        }
        Duration value = parsed(in, node, key, "a duration such as 5s", Durations::parse);
        if (value != null && (value.compareTo(min) < 0 || value.compareTo(max) > 0)) {
            in.problem(node, key + ": expected a duration from " + min.toMillis() + "ms to " + max.toMillis()
                    + "ms, got '" + NodeReader.shorten(((ScalarNode) node).getValue()) + "'");
            return fallback;
        }
        return value == null ? fallback : value;
    }

    private AdminConfig readAdmin(Node node) {
        NodeReader.Entries admin = in.mapping(node, "admin", List.of("listen"));
        if (admin == null) {
            return null;
        }
        return new AdminConfig(listen(admin.required("listen", "host:port, e.g. 127.0.0.1:9090"), "admin.listen"));
    }

    private Limits readLimits(Node node) {
        NodeReader.Entries limits = in.mapping(node, "limits", LIMIT_KEYS);
        Limits d = Limits.DEFAULTS;
        if (limits == null) {
            return d;
        }
        return new Limits(
                size(limits.value("maxRequestBodyBytes"), "limits.maxRequestBodyBytes", d.maxRequestBodyBytes(), 0,
                        Long.MAX_VALUE),
                size(limits.value("maxResponseBodyBytes"), "limits.maxResponseBodyBytes", d.maxResponseBodyBytes(),
                        0, Long.MAX_VALUE),
                (int) size(limits.value("maxUrlBytes"), "limits.maxUrlBytes", d.maxUrlBytes(), 1, Integer.MAX_VALUE),
                (int) size(limits.value("maxHeaderBytes"), "limits.maxHeaderBytes", d.maxHeaderBytes(), 1,
                        Integer.MAX_VALUE));
    }

    private long size(Node node, String key, long fallback, long min, long max) {
        Long value = sizeOrNull(in, node, key, min, max);
        return value == null ? fallback : value;
    }

    /** A size within [min, max], or null when absent or invalid (then with a problem). */
    static Long sizeOrNull(NodeReader in, Node node, String key, long min, long max) {
        if (node == null) {
            return null;
        }
        Long value = parsed(in, node, key, "a size such as 64KiB", Sizes::parse);
        if (value != null && (value < min || value > max)) {
            in.problem(node, key + ": expected a size from " + min + " to " + max + " bytes, got '"
                    + NodeReader.shorten(((ScalarNode) node).getValue()) + "'");
            return null;
        }
        return value;
    }

    private AuditConfig readAudit(Node node) {
        if (node == null) {
            return null;
        }
        NodeReader.Entries audit = in.mapping(node, "audit", AUDIT_KEYS);
        if (audit == null) {
            return null;
        }
        Node pathNode = audit.required("path", "the audit log file, e.g. path: /var/log/sluice/audit.jsonl");
        Path path = pathNode == null ? null : resolve(pathNode, "audit.path", "the audit log file");
        String job = identity(audit.value("job"), "audit.job");
        String auditNode = identity(audit.value("node"), "audit.node");
        AuditConfig.Fsync fsync = choice(audit.value("fsync"), "audit.fsync", AuditConfig.Fsync.class,
                AuditConfig.Fsync.INTERVAL);
        Node fsyncIntervalNode = audit.value("fsyncInterval");
        Duration fsyncInterval = duration(fsyncIntervalNode, "audit.fsyncInterval",
                AuditConfig.DEFAULT_FSYNC_INTERVAL, Duration.ofMillis(1));
        if (fsyncIntervalNode != null && fsync != AuditConfig.Fsync.INTERVAL) {
            in.problem(fsyncIntervalNode, "audit.fsyncInterval: only fsync: interval uses it; remove it or set "
                    + "fsync: interval");
        }
        AuditConfig.OnFailure onFailure = choice(audit.value("onFailure"), "audit.onFailure",
                AuditConfig.OnFailure.class, AuditConfig.OnFailure.REJECT);
        boolean stdout = bool(audit.value("stdout"), "audit.stdout", false);
        AuditConfig.Query query = choice(audit.value("query"), "audit.query", AuditConfig.Query.class,
                AuditConfig.Query.DROP);
        Node rotateNode = audit.value("rotate");
        AuditConfig.Rotation rotate = rotateNode == null ? AuditConfig.Rotation.DEFAULTS : readRotation(rotateNode);
        Node checkpointNode = audit.value("checkpoint");
        AuditConfig.Checkpoints checkpoint = checkpointNode == null ? AuditConfig.Checkpoints.DEFAULTS
                : readCheckpoints(checkpointNode);
        Node signingNode = audit.value("signing");
        Path keyFile = signingNode == null ? null : readSigning(signingNode);
        if (checkpointNode != null && signingNode == null) {
            in.problem(checkpointNode, "audit.checkpoint: checkpoints are signed and there is no "
                    + "audit.signing.keyFile; add one (./sluice audit keygen makes a key) or remove audit.checkpoint");
        }
        if (path == null) {
            return null;
        }
        return new AuditConfig(path, job, auditNode, fsync, fsyncInterval, onFailure, stdout, query, rotate,
                checkpoint, keyFile);
    }

    private AuditConfig.Rotation readRotation(Node node) {
        AuditConfig.Rotation d = AuditConfig.Rotation.DEFAULTS;
        NodeReader.Entries rotate = in.mapping(node, "audit.rotate", ROTATE_KEYS);
        if (rotate == null) {
            return d;
        }
        return new AuditConfig.Rotation(
                size(rotate.value("maxBytes"), "audit.rotate.maxBytes", d.maxBytes(), 1, Long.MAX_VALUE),
                duration(rotate.value("interval"), "audit.rotate.interval", d.interval(), Duration.ofSeconds(1),
                        MAX_ROTATE_INTERVAL),
                bool(rotate.value("compress"), "audit.rotate.compress", d.compress()));
    }

    private AuditConfig.Checkpoints readCheckpoints(Node node) {
        AuditConfig.Checkpoints d = AuditConfig.Checkpoints.DEFAULTS;
        NodeReader.Entries checkpoint = in.mapping(node, "audit.checkpoint", CHECKPOINT_KEYS);
        if (checkpoint == null) {
            return d;
        }
        Node everyNode = checkpoint.value("every");
        Long every = everyNode == null ? null
                : wholeNumber(everyNode, "audit.checkpoint.every", 1, MAX_CHECKPOINT_EVERY);
        return new AuditConfig.Checkpoints(every == null ? d.every() : every, duration(checkpoint.value("interval"),
                "audit.checkpoint.interval", d.interval(), Duration.ofMillis(1)));
    }

    /** The key file, checked to hold an Ed25519 private key now, so that a bad one stops Sluice before it starts. */
    private Path readSigning(Node node) {
        NodeReader.Entries signing = in.mapping(node, "audit.signing", SIGNING_KEYS);
        if (signing == null) {
            return null;
        }
        Node keyNode = signing.required("keyFile", "the Ed25519 private key that signs checkpoints, e.g. "
                + "keyFile: audit-signing.key (./sluice audit keygen makes one)");
        if (keyNode == null) {
            return null;
        }
        Path keyFile = resolve(keyNode, "audit.signing.keyFile", "a PEM Ed25519 private key file");
        if (keyFile == null) {
            return null;
        }
        String problem = SigningKeyFile.problem(keyFile);
        if (problem != null) {
            in.problem(keyNode, "audit.signing.keyFile: " + problem);
            return null;
        }
        return keyFile;
    }

    /** A job or node id: one line of printable text, 1 to 200 characters; null when absent or invalid. */
    private String identity(Node node, String key) {
        if (node == null) {
            return null;
        }
        String text = in.text(node, key, "a name of 1 to " + MAX_IDENTITY_CHARS + " characters");
        if (text == null) {
            return null;
        }
        if (text.isBlank() || text.length() > MAX_IDENTITY_CHARS || text.chars().anyMatch(Character::isISOControl)) {
            in.problem(node, key + ": expected a name of 1 to " + MAX_IDENTITY_CHARS + " characters without control "
                    + "characters, got '" + NodeReader.shorten(text) + "'");
            return null;
        }
        return text;
    }

    /** One of an enum's constants, written in lower case in the file; fallback when absent or invalid. */
    private <E extends Enum<E>> E choice(Node node, String key, Class<E> type, E fallback) {
        if (node == null) {
            return fallback;
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        String expected = String.join(" or ", names);
        String text = in.text(node, key, expected);
        if (text == null) {
            return fallback;
        }
        int index = names.indexOf(text);
        if (index < 0) {
            in.problem(node, key + ": expected " + expected + ", got '" + NodeReader.shorten(text) + "'");
            return fallback;
        }
        return type.getEnumConstants()[index];
    }

    private boolean bool(Node node, String key, boolean fallback) {
        if (node == null) {
            return fallback;
        }
        String text = in.text(node, key, "true or false");
        if ("true".equals(text) || "false".equals(text)) {
            return Boolean.parseBoolean(text);
        }
        if (text != null) {
            in.problem(node, key + ": expected true or false, got '" + NodeReader.shorten(text) + "'");
        }
        return fallback;
    }

    private ListenAddress listen(Node node, String key) {
        if (node == null) {
            return null;
        }
        return parsed(node, key, LISTEN, Addresses::listen);
    }

    private Long wholeNumber(Node node, String key, long min, long max) {
        return wholeNumber(in, node, key, min, max);
    }

    /** A whole number within [min, max], or null when invalid (then with a problem). */
    static Long wholeNumber(NodeReader in, Node node, String key, long min, long max) {
        String text = in.text(node, key, "a whole number from " + min + " to " + max);
        if (text == null) {
            return null;
        }
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                || Long.parseLong(text) < min || Long.parseLong(text) > max) {
            in.problem(node, key + ": expected a whole number from " + min + " to " + max + ", got '"
                    + NodeReader.shorten(text) + "'");
            return null;
        }
        return Long.parseLong(text);
    }

    private Path existingFile(Node node, String key, String what) {
        return existingFile(in, folder, node, key, what);
    }

    /** A file name resolved against folder that names an existing regular file; null (with a problem) if not. */
    static Path existingFile(NodeReader in, Path folder, Node node, String key, String what) {
        Path path = resolve(in, folder, node, key, what);
        if (path != null && !Files.isRegularFile(path)) {
            in.problem(node, key + ": no such file '" + path + "'; expected " + what
                    + " (a relative name is read from the config file's folder)");
            return null;
        }
        return path;
    }

    private Path resolve(Node node, String key, String what) {
        return resolve(in, folder, node, key, what);
    }

    private static Path resolve(NodeReader in, Path folder, Node node, String key, String what) {
        String text = in.text(node, key, what);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            in.problem(node, key + ": expected " + what + ", got an empty name");
            return null;
        }
        try {
            return folder.resolve(text).normalize();
        } catch (InvalidPathException e) {
            in.problem(node, key + ": '" + NodeReader.shorten(text) + "' is not a valid file name: " + e.getReason());
            return null;
        }
    }

    private <T> T parsed(Node node, String key, String expected, Function<String, T> parser) {
        return parsed(in, node, key, expected, parser);
    }

    /** Parses a scalar with parser; parser failures become problems at node, prefixed with key. */
    static <T> T parsed(NodeReader in, Node node, String key, String expected, Function<String, T> parser) {
        String text = in.text(node, key, expected);
        if (text == null) {
            return null;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            in.problem(node, key + ": " + e.getMessage());
            return null;
        }
    }

    /** Exposed to RuleReader so both read sizes the same way. */
    static Long sizeOrNull(NodeReader in, Node node, String key) {
        return sizeOrNull(in, node, key, 0, Long.MAX_VALUE);
    }
}
