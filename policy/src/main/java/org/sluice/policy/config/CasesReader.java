package org.sluice.policy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sluice.policy.Destination;
import org.sluice.policy.HttpTokens;
import org.sluice.policy.RequestHeader;
import org.sluice.policy.RequestUrl;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Turns the composed YAML tree of a cases file into {@link PolicyCase}s, or every problem in it. */
final class CasesReader {

    private static final List<String> CASE_KEYS =
            List.of("name", "request", "headers", "body", "bodyFile", "expect", "rule", "forwarded", "stripped");
    /** A case's body is read whole into memory; larger files are not what a test case is for. */
    static final int MAX_BODY_FILE_BYTES = 64 * 1024 * 1024;

    private final NodeReader in;
    private final Path source;
    private final Destination gateway;
    private final Set<String> ruleNames = new LinkedHashSet<>();
    private final Map<String, Position> firstByName = new HashMap<>();

    CasesReader(NodeReader in, Path source, SluiceConfig config) {
        this.in = in;
        this.source = source;
        UpstreamConfig upstream = config.gateway() == null ? null : config.gateway().upstream();
        this.gateway = upstream == null ? null : Destination.gateway(upstream.scheme(), upstream.host(), upstream.port());
        config.rules().forEach(rule -> ruleNames.add(rule.name()));
    }

    List<PolicyCase> read(Node root) throws ConfigException {
        if (root == null) {
            in.problem(new Position(source, 1, 1), "the cases file is empty; expected a mapping with the key cases");
            throw new ConfigException(in.sortedProblems());
        }
        NodeReader.Entries top = in.mapping(root, "", List.of("cases"));
        if (top == null) {
            throw new ConfigException(in.sortedProblems());
        }
        Node casesNode = top.required("cases", "a list of cases, each with name, request and expect");
        List<PolicyCase> cases = new ArrayList<>();
        if (casesNode instanceof SequenceNode sequence && !sequence.getValue().isEmpty()) {
            List<Node> items = sequence.getValue();
            for (int i = 0; i < items.size(); i++) {
                PolicyCase c = readCase(items.get(i), "cases[" + i + "]");
                if (c != null) {
                    cases.add(c);
                }
            }
        } else if (casesNode != null) {
            in.problem(casesNode, "cases: expected a list of at least one case, each a mapping with keys "
                    + String.join(", ", CASE_KEYS) + ", got " + NodeReader.describe(casesNode));
        }
        if (in.hasProblems()) {
            throw new ConfigException(in.sortedProblems());
        }
        return List.copyOf(cases);
    }

    private PolicyCase readCase(Node node, String where) {
        NodeReader.Entries entries = in.mapping(node, where, CASE_KEYS);
        if (entries == null) {
            return null;
        }
        Position position = in.position(node);
        String name = readName(entries.required("name", "a name for the case, e.g. name: algorithm fetches "
                + "its task"), where, position);
        Node requestNode = entries.required("request", "METHOD URL, e.g. request: GET /api/tasks, or CONNECT host:port");
        String request = requestNode == null ? null : in.text(requestNode, where + ".request",
                "METHOD URL, e.g. GET /api/tasks");
        String method = null;
        RequestUrl url = null;
        if (request != null) {
            String[] parts = request.trim().split("\\s+");
            if (parts.length != 2) {
                in.problem(requestNode, where + ".request: expected METHOD URL, e.g. GET /api/tasks, got '"
                        + NodeReader.shorten(request) + "'");
            } else if (!HttpTokens.isToken(parts[0])) {
                in.problem(requestNode, where + ".request: '" + NodeReader.shorten(parts[0])
                        + "' is not an HTTP method; expected a token such as GET or POST");
            } else {
                method = parts[0];
                url = url(requestNode, where, method, parts[1]);
            }
        }
        Node headersNode = entries.value("headers");
        List<RequestHeader> headers = headersNode == null ? List.of() : readHeaders(headersNode, where + ".headers");
        byte[] body = readBody(entries, where);
        boolean bodyOk = body != null || (entries.value("body") == null && entries.value("bodyFile") == null);
        Node expectNode = entries.required("expect", "one of " + String.join(", ", PolicyCase.OUTCOMES));
        String expect = expectNode == null ? null : readExpect(expectNode, where + ".expect");
        Node ruleNode = entries.value("rule");
        String rule = ruleNode == null ? null : readRule(ruleNode, where + ".rule", expect);
        List<String> forwarded = readNames(entries.value("forwarded"), where + ".forwarded", expect);
        List<String> stripped = readNames(entries.value("stripped"), where + ".stripped", expect);
        if (url != null && url.tunnel() && forwarded != null && stripped != null
                && (!forwarded.isEmpty() || !stripped.isEmpty())) {
            in.problem(entries.value(!forwarded.isEmpty() ? "forwarded" : "stripped"),
                    where + ": a CONNECT tunnel forwards no headers of its own (what it carries is encrypted); "
                            + "remove forwarded and stripped");
            return null;
        }
        if (name == null || method == null || url == null || headers == null || expect == null
                || (ruleNode != null && rule == null) || forwarded == null || stripped == null || !bodyOk) {
            return null;
        }
        return new PolicyCase(name, request.trim(), method, url, headers, expect, rule, forwarded, stripped, body,
                position);
    }

    /**
     * The case's body: {@code body:} as UTF-8 text, or the bytes of {@code bodyFile:} (relative to the cases file);
     * null when it has none, or (with a problem) when it cannot be read.
     */
    private byte[] readBody(NodeReader.Entries entries, String where) {
        Node text = entries.value("body");
        Node file = entries.value("bodyFile");
        if (text != null && file != null) {
            in.problem(file, where + ": give body (the text) or bodyFile (a file), not both");
            return null;
        }
        if (text != null) {
            String value = in.text(text, where + ".body", "the request body as text, e.g. body: '{\"mean\": 4.2}'");
            return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        }
        if (file == null) {
            return null;
        }
        String name = in.text(file, where + ".bodyFile", "a file holding the request body, relative to the cases file");
        if (name == null) {
            return null;
        }
        Path dir = source.toAbsolutePath().getParent();
        Path path = dir == null ? Path.of(name) : dir.resolve(name);
        try {
            if (Files.size(path) > MAX_BODY_FILE_BYTES) {
                in.problem(file, where + ".bodyFile: " + path + " is larger than " + MAX_BODY_FILE_BYTES
                        + " bytes; a case's body is read into memory, use a smaller sample");
                return null;
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            in.problem(file, where + ".bodyFile: cannot read " + path + " (" + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()) + "); the path is relative to the cases file");
            return null;
        }
    }

    private String readName(Node node, String where, Position casePosition) {
        if (node == null) {
            return null;
        }
        String name = in.text(node, where + ".name", "a name for the case");
        if (name == null) {
            return null;
        }
        if (name.isBlank() || name.chars().anyMatch(Character::isISOControl)) {
            in.problem(node, where + ".name: expected a name without control characters");
            return null;
        }
        Position first = firstByName.putIfAbsent(name, casePosition);
        if (first != null) {
            in.problem(node, "duplicate case name '" + NodeReader.shorten(name) + "'; the first case with this "
                    + "name is at line " + first.line() + "; case names must be unique");
            return null;
        }
        return name;
    }

    private RequestUrl url(Node node, String where, String method, String text) {
        try {
            return RequestUrl.parse(method, text, gateway);
        } catch (IllegalArgumentException e) {
            in.problem(node, where + ".request: " + e.getMessage());
            return null;
        }
    }

    /** A mapping of header name to value, in file order; null (with a problem) when anything in it is wrong. */
    private List<RequestHeader> readHeaders(Node node, String where) {
        if (!(node instanceof MappingNode mapping)) {
            in.problem(node, where + ": expected a mapping of header name to value, e.g. {X-Request-Tag: a}, got "
                    + NodeReader.describe(node));
            return null;
        }
        List<RequestHeader> headers = new ArrayList<>();
        Map<String, Node> seen = new HashMap<>();
        boolean ok = true;
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            Node valueNode = tuple.getValueNode();
            if (!(keyNode instanceof ScalarNode key) || key.getTag().equals(Tag.NULL)) {
                in.problem(keyNode, where + ": a header name must be a plain word, got "
                        + NodeReader.describe(keyNode));
                ok = false;
                continue;
            }
            Node first = seen.putIfAbsent(key.getValue(), keyNode);
            if (first != null) {
                in.problem(keyNode, where + ": duplicate header '" + NodeReader.shorten(key.getValue())
                        + "'; it is already set at line " + in.position(first).line());
                ok = false;
                continue;
            }
            String value = in.text(valueNode, where + "." + key.getValue(), "a value (\"\" for an empty one)");
            if (value == null) {
                ok = false;
                continue;
            }
            String problem = RequestHeader.problem(key.getValue(), value);
            if (problem != null) {
                in.problem(keyNode, where + ": " + problem);
                ok = false;
                continue;
            }
            headers.add(new RequestHeader(key.getValue(), value));
        }
        return ok ? List.copyOf(headers) : null;
    }

    private String readExpect(Node node, String key) {
        String text = in.text(node, key, "one of " + String.join(", ", PolicyCase.OUTCOMES));
        if (text != null && !PolicyCase.OUTCOMES.contains(text)) {
            in.problem(node, key + ": expected one of " + String.join(", ", PolicyCase.OUTCOMES) + ", got '"
                    + NodeReader.shorten(text) + "'");
            return null;
        }
        return text;
    }

    private String readRule(Node node, String key, String expect) {
        String rule = in.text(node, key, "the name of a rule of the policy");
        if (rule == null) {
            return null;
        }
        if (!ruleNames.contains(rule)) {
            in.problem(node, key + ": the policy has no rule '" + NodeReader.shorten(rule) + "'; its rules are "
                    + (ruleNames.isEmpty() ? "none" : String.join(", ", ruleNames)));
            return null;
        }
        if (expect != null && !expect.equals("allow") && !expect.equals("report")
                && !expect.equals("content_refused") && !expect.equals("body_too_large")) {
            in.problem(node, key + ": only a request that a rule matches is decided by a rule; remove rule, or "
                    + "expect allow, report, body_too_large or content_refused");
            return null;
        }
        return rule;
    }

    /** A list of header names; absent is empty; null (with a problem) when wrong. */
    private List<String> readNames(Node node, String key, String expect) {
        if (node == null) {
            return List.of();
        }
        List<ScalarNode> items = in.stringList(node, key, "[X-Request-Tag]");
        if (items == null) {
            return null;
        }
        boolean ok = items.size() == ((SequenceNode) node).getValue().size();
        List<String> names = new ArrayList<>();
        for (ScalarNode item : items) {
            if (!HttpTokens.isToken(item.getValue())) {
                in.problem(item, key + ": '" + NodeReader.shorten(item.getValue()) + "' is not a header name; "
                        + "expected a token such as X-Request-Tag");
                ok = false;
            } else {
                names.add(item.getValue());
            }
        }
        if (expect != null && !expect.equals("allow") && !expect.equals("report")) {
            in.problem(node, key + ": only a request that is let through has headers forwarded or stripped; "
                    + "remove " + key.substring(key.lastIndexOf('.') + 1) + ", or expect allow or report");
            return null;
        }
        return ok ? List.copyOf(names) : null;
    }
}
