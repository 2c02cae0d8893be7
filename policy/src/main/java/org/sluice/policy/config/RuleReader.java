package org.sluice.policy.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sluice.policy.HostNames;
import org.sluice.policy.HttpTokens;
import org.sluice.policy.Mode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads the {@code rules} list: each rule's name, what it matches, what it forwards, its mode and body limits. */
final class RuleReader {

    private static final List<String> RULE_KEYS =
            List.of("name", "methods", "extensionMethods", "paths", "hosts", "ports", "schemes", "query", "headers",
                    "mode", "limits", "content");
    /** What {@code methods} takes: RFC 9110's methods and PATCH. Anything else goes under extensionMethods. */
    static final Set<String> STANDARD_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    /** Sluice manages these itself per hop; a rule cannot forward them as sent. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "upgrade", "proxy-authorization", "proxy-authenticate");
    private static final List<String> RULE_LIMIT_KEYS = List.of("maxRequestBodyBytes", "maxResponseBodyBytes");
    private static final int MAX_NAME_CHARS = 200;

    private final NodeReader in;
    private final ContentReader contents;
    private final Map<String, Position> firstByName = new HashMap<>();

    RuleReader(NodeReader in, ContentReader contents) {
        this.in = in;
        this.contents = contents;
    }

    List<RuleConfig> read(Node node) {
        if (!(node instanceof SequenceNode sequence)) {
            in.problem(node, "rules: expected a list of rules, each a mapping with keys "
                    + String.join(", ", RULE_KEYS) + " (use [] for none), got " + NodeReader.describe(node));
            return List.of();
        }
        List<RuleConfig> rules = new ArrayList<>();
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            RuleConfig rule = readRule(items.get(i), "rules[" + i + "]");
            if (rule != null) {
                rules.add(rule);
            }
        }
        return List.copyOf(rules);
    }

    private RuleConfig readRule(Node node, String where) {
        NodeReader.Entries rule = in.mapping(node, where, RULE_KEYS);
        if (rule == null) {
            return null;
        }
        Position position = in.position(node);
        Map<String, Position> keys = new LinkedHashMap<>();
        for (String key : RULE_KEYS) {
            Node value = rule.value(key);
            if (value != null) {
                keys.put(key, in.position(value));
            }
        }
        String name = readName(rule.required("name", "a unique rule name, e.g. name: central-api"), where, position);
        Node methodsNode = rule.required("methods", "a list of HTTP methods, e.g. [GET, POST]");
        List<String> methods = readMethods(methodsNode, where + ".methods", true);
        Node extensionNode = rule.value("extensionMethods");
        if (extensionNode != null) {
            List<String> extension = readMethods(extensionNode, where + ".extensionMethods", false);
            methods = methods == null || extension == null ? null
                    : List.copyOf(new LinkedHashSet<>(concat(methods, extension)));
        }
        boolean tunnel = methods != null && methods.equals(List.of("CONNECT"));
        if (methods != null && methods.contains("CONNECT") && !tunnel) {
            in.problem(methodsNode, where + ".methods: a tunnel has no method or path of its own; put CONNECT in a "
                    + "rule of its own (methods: [CONNECT], with hosts and ports)");
            methods = null;
        }
        List<String> paths;
        if (tunnel) {
            paths = tunnelRefuses(rule, where) ? null : List.of();
        } else {
            paths = readPaths(rule.required("paths", "a list of path globs, e.g. [\"/api/**\"]"), where + ".paths");
        }
        Node hostsNode = rule.value("hosts");
        List<String> hosts = hostsNode == null ? null : readHosts(hostsNode, where + ".hosts");
        Node portsNode = rule.value("ports");
        List<Integer> ports = portsNode == null ? null : readPorts(portsNode, where + ".ports");
        Node schemesNode = rule.value("schemes");
        List<String> schemes = schemesNode == null ? null : readSchemes(schemesNode, where + ".schemes");
        Node queryNode = rule.value("query");
        List<String> query = queryNode == null || tunnel ? null : readQuery(queryNode, where + ".query");
        Node headersNode = rule.value("headers");
        List<String> headers = headersNode == null || tunnel ? List.of()
                : readHeaders(headersNode, where + ".headers");
        Node modeNode = rule.value("mode");
        Mode mode = modeNode == null ? null : ConfigReader.mode(in, modeNode, where + ".mode");
        Node limitsNode = rule.value("limits");
        LimitOverrides limits = limitsNode == null || tunnel ? null : readLimits(limitsNode, where + ".limits");
        Node contentNode = rule.value("content");
        ContentConfig content = contentNode == null || tunnel ? null : contents.read(contentNode, where + ".content");
        if (tunnel && schemes != null && !schemes.contains("https")) {
            in.problem(schemesNode, where + ".schemes: a CONNECT tunnel carries https; include https in schemes or "
                    + "leave schemes out");
            return null;
        }
        if (name == null || methods == null || paths == null || (hostsNode != null && hosts == null)
                || (portsNode != null && ports == null) || (schemesNode != null && schemes == null)
                || (queryNode != null && query == null && !tunnel) || headers == null
                || (modeNode != null && mode == null) || (contentNode != null && content == null && !tunnel)) {
            return null;
        }
        return new RuleConfig(name, methods, paths, hosts, ports, schemes, query, headers, mode, limits, content,
                position, Map.copyOf(keys));
    }

    /**
     * A CONNECT rule checks host and port only: what a tunnel carries is encrypted. True (with a problem for each)
     * when the rule has a key that would check something inside the tunnel.
     */
    private boolean tunnelRefuses(NodeReader.Entries rule, String where) {
        boolean refused = false;
        String why = "a CONNECT rule matches a tunnel, whose requests are encrypted inside TLS, so ";
        Node paths = rule.value("paths");
        if (paths != null) {
            in.problem(paths, where + ".paths: " + why + "their paths cannot be checked; remove paths (a CONNECT "
                    + "rule checks hosts and ports), or allow plain-HTTP requests with a rule of their own");
            refused = true;
        }
        Node query = rule.value("query");
        if (query != null) {
            in.problem(query, where + ".query: " + why + "their queries cannot be checked; remove query");
            refused = true;
        }
        Node headers = rule.value("headers");
        if (headers != null) {
            in.problem(headers, where + ".headers: " + why + "their headers are neither seen nor stripped; remove "
                    + "headers");
            refused = true;
        }
        Node limits = rule.value("limits");
        if (limits != null) {
            in.problem(limits, where + ".limits: " + why + "body limits cannot be checked inside it; remove limits, "
                    + "and use a plain-HTTP rule or the gateway where body size matters");
            refused = true;
        }
        Node content = rule.value("content");
        if (content != null) {
            in.problem(content, where + ".content: " + why + "their bodies cannot be checked; remove content, and "
                    + "use a plain-HTTP rule or the gateway where content matters");
            refused = true;
        }
        return refused;
    }

    private String readName(Node node, String where, Position rulePosition) {
        if (node == null) {
            return null;
        }
        String key = where + ".name";
        String name = in.text(node, key, "a rule name");
        if (name == null) {
            return null;
        }
        if (name.isBlank() || name.length() > MAX_NAME_CHARS || name.chars().anyMatch(Character::isISOControl)) {
            in.problem(node, key + ": expected a name of 1 to " + MAX_NAME_CHARS
                    + " characters without control characters");
            return null;
        }
        Position first = firstByName.putIfAbsent(name, rulePosition);
        if (first != null) {
            in.problem(node, "duplicate rule name '" + NodeReader.shorten(name) + "'; the first rule with this name "
                    + "is at line " + first.line() + "; rule names must be unique");
            return null;
        }
        return name;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * {@code standard}: the methods key, which takes only {@link #STANDARD_METHODS} (a misspelt POTS is an error,
     * not a rule that never matches); else extensionMethods, which takes any other token and none of those.
     */
    private List<String> readMethods(Node node, String key, boolean standard) {
        if (node == null) {
            return null;
        }
        List<ScalarNode> items = in.stringList(node, key, "[GET, POST]");
        if (items == null) {
            return null;
        }
        Set<String> methods = new LinkedHashSet<>();
        boolean ok = items.size() == ((SequenceNode) node).getValue().size();
        for (ScalarNode item : items) {
            String method = item.getValue().toUpperCase(Locale.ROOT);
            if (method.equals("*")) {
                in.problem(item, key + ": '*' is not a method; list the methods the rule allows, e.g. [GET, POST]");
                ok = false;
            } else if (!HttpTokens.isToken(method)) {
                in.problem(item, key + ": '" + NodeReader.shorten(item.getValue())
                        + "' is not an HTTP method; expected a token such as GET or POST");
                ok = false;
            } else if (standard && !STANDARD_METHODS.contains(method)) {
                in.problem(item, key + ": '" + NodeReader.shorten(item.getValue()) + "' is not a standard HTTP "
                        + "method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT); if the server "
                        + "really takes it, list it under extensionMethods");
                ok = false;
            } else if (!standard && STANDARD_METHODS.contains(method)) {
                in.problem(item, key + ": " + method + " is a standard method; list it under methods");
                ok = false;
            } else {
                methods.add(method);
            }
        }
        return ok ? List.copyOf(methods) : null;
    }

    private List<String> readPaths(Node node, String key) {
        if (node == null) {
            return null;
        }
        List<ScalarNode> items = in.stringList(node, key, "[\"/api/**\"]");
        if (items == null) {
            return null;
        }
        List<String> paths = new ArrayList<>();
        boolean ok = items.size() == ((SequenceNode) node).getValue().size();
        for (ScalarNode item : items) {
            String problem = GlobSyntax.problem(item.getValue());
            if (problem != null) {
                in.problem(item, key + ": " + problem);
                ok = false;
            } else {
                paths.add(item.getValue());
            }
        }
        return ok ? List.copyOf(paths) : null;
    }

    private List<String> readHosts(Node node, String key) {
        List<ScalarNode> items = in.stringList(node, key, "[central.example.org, \"*.example.org\"]");
        if (items == null) {
            return null;
        }
        Set<String> hosts = new LinkedHashSet<>();
        boolean ok = items.size() == ((SequenceNode) node).getValue().size();
        for (ScalarNode item : items) {
            String text = item.getValue();
            boolean wildcard = text.startsWith("*.");
            String name = wildcard ? text.substring(2) : text;
            if (name.indexOf('*') >= 0) {
                in.problem(item, key + ": '" + NodeReader.shorten(text) + "': '*' may only stand for the leftmost "
                        + "labels, as in *.example.org; leave hosts out to match any host");
                ok = false;
                continue;
            }
            if (!wildcard && text.indexOf(':') >= 0 && !text.startsWith("[") && text.chars().filter(c -> c == ':')
                    .count() == 1) {
                in.problem(item, key + ": '" + NodeReader.shorten(text) + "': write the port under ports, not in "
                        + "the host name");
                ok = false;
                continue;
            }
            try {
                String normal = HostNames.normalize(name);
                if (wildcard && (normal.indexOf(':') >= 0 || Character.isDigit(normal.charAt(normal.length() - 1)))) {
                    throw new IllegalArgumentException("'" + NodeReader.shorten(text) + "': '*.' applies to host "
                            + "names, not to IP addresses");
                }
                hosts.add(wildcard ? "*." + normal : normal);
            } catch (IllegalArgumentException e) {
                in.problem(item, key + ": " + e.getMessage());
                ok = false;
            }
        }
        return ok ? List.copyOf(hosts) : null;
    }

    private List<Integer> readPorts(Node node, String key) {
        List<ScalarNode> items = in.stringList(node, key, "[443]");
        if (items == null) {
            return null;
        }
        Set<Integer> ports = new LinkedHashSet<>();
        boolean ok = items.size() == ((SequenceNode) node).getValue().size();
        for (ScalarNode item : items) {
            String text = item.getValue();
            int port = text.matches("[0-9]{1,5}") ? Integer.parseInt(text) : 0;
            if (port < 1 || port > 65_535) {
                in.problem(item, key + ": '" + NodeReader.shorten(text) + "' is not a port; expected a number "
                        + "from 1 to 65535, e.g. [443]");
                ok = false;
            } else {
                ports.add(port);
            }
        }
        return ok ? List.copyOf(ports) : null;
    }

    private List<String> readSchemes(Node node, String key) {
        List<ScalarNode> items = in.stringList(node, key, "[https]");
        if (items == null) {
            return null;
        }
        Set<String> schemes = new LinkedHashSet<>();
        boolean ok = items.size() == ((SequenceNode) node).getValue().size();
        for (ScalarNode item : items) {
            String scheme = item.getValue().toLowerCase(Locale.ROOT);
            if (scheme.equals("http") || scheme.equals("https")) {
                schemes.add(scheme);
            } else {
                in.problem(item, key + ": '" + NodeReader.shorten(item.getValue()) + "' is not a scheme Sluice "
                        + "proxies; expected http or https");
                ok = false;
            }
        }
        return ok ? List.copyOf(schemes) : null;
    }

    private List<String> readQuery(Node node, String key) {
        List<ScalarNode> items = in.stringList(node, key, "[limit, offset] (or [] for no query at all)");
        if (items == null) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        boolean ok = items.size() == ((SequenceNode) node).getValue().size();
        for (ScalarNode item : items) {
            String name = item.getValue();
            boolean bad = name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || "&=#?%+".indexOf(c) >= 0);
            if (bad) {
                in.problem(item, key + ": '" + NodeReader.shorten(name) + "' is not a query parameter name; expected "
                        + "printable ASCII without spaces or any of & = # ? % +, compared exactly as sent");
                ok = false;
            } else {
                names.add(name);
            }
        }
        return ok ? List.copyOf(names) : null;
    }

    private List<String> readHeaders(Node node, String key) {
        List<ScalarNode> items = in.stringList(node, key, "[X-Request-Tag]");
        if (items == null) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        boolean ok = items.size() == ((SequenceNode) node).getValue().size();
        for (ScalarNode item : items) {
            String name = item.getValue().toLowerCase(Locale.ROOT);
            if (!HttpTokens.isToken(name)) {
                in.problem(item, key + ": '" + NodeReader.shorten(item.getValue()) + "' is not a header name; "
                        + "expected a token such as X-Request-Tag");
                ok = false;
            } else if (HOP_BY_HOP.contains(name)) {
                in.problem(item, key + ": '" + item.getValue() + "' is managed by Sluice on each hop and is never "
                        + "forwarded as sent; remove it");
                ok = false;
            } else {
                names.add(name);
            }
        }
        return ok ? List.copyOf(names) : null;
    }

    private LimitOverrides readLimits(Node node, String where) {
        String misplaced = " cannot be set in a rule: it applies before any rule is matched; set it under the "
                + "top-level limits";
        NodeReader.Entries limits = in.mapping(node, where, RULE_LIMIT_KEYS,
                Map.of("maxUrlBytes", "maxUrlBytes" + misplaced, "maxHeaderBytes", "maxHeaderBytes" + misplaced));
        if (limits == null) {
            return null;
        }
        return new LimitOverrides(
                ConfigReader.sizeOrNull(in, limits.value("maxRequestBodyBytes"), where + ".maxRequestBodyBytes"),
                ConfigReader.sizeOrNull(in, limits.value("maxResponseBodyBytes"), where + ".maxResponseBodyBytes"));
    }
}
