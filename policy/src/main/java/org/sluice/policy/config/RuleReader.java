package org.sluice.policy.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads the {@code rules} list: names, methods, path globs and per-rule body limits. */
final class RuleReader {

    private static final List<String> RULE_KEYS = List.of("name", "methods", "paths", "limits");
    private static final List<String> RULE_LIMIT_KEYS = List.of("maxRequestBodyBytes", "maxResponseBodyBytes");
    private static final int MAX_NAME_CHARS = 200;
    /** RFC 9110 tchar, besides letters and digits. */
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private final NodeReader in;
    private final Map<String, Position> firstByName = new HashMap<>();

    RuleReader(NodeReader in) {
        this.in = in;
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
        String name = readName(rule.required("name", "a unique rule name, e.g. name: central-api"), where, position);
        List<String> methods = readMethods(rule.required("methods", "a list of HTTP methods, e.g. [GET, POST]"),
                where + ".methods");
        List<String> paths = readPaths(rule.required("paths", "a list of path globs, e.g. [\"/api/**\"]"),
                where + ".paths");
        Node limitsNode = rule.value("limits");
        LimitOverrides limits = limitsNode == null ? null : readLimits(limitsNode, where + ".limits");
        if (name == null || methods == null || paths == null) {
            return null;
        }
        return new RuleConfig(name, methods, paths, limits, position);
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

    private List<String> readMethods(Node node, String key) {
        if (node == null) {
            return null;
        }
        List<ScalarNode> items = in.stringList(node, key, "[GET, POST]");
        if (items == null) {
            return null;
        }
        if (items.isEmpty() && ((SequenceNode) node).getValue().isEmpty()) {
            in.problem(node, key + ": expected at least one HTTP method, e.g. [GET, POST]");
            return null;
        }
        Set<String> methods = new LinkedHashSet<>();
        boolean ok = items.size() == ((SequenceNode) node).getValue().size();
        for (ScalarNode item : items) {
            String method = item.getValue().toUpperCase(Locale.ROOT);
            if (method.equals("*")) {
                in.problem(item, key + ": '*' is not a method; list the methods the rule allows, e.g. [GET, POST]");
                ok = false;
            } else if (!isToken(method)) {
                in.problem(item, key + ": '" + NodeReader.shorten(item.getValue())
                        + "' is not an HTTP method; expected a token such as GET or POST");
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
        if (items.isEmpty() && ((SequenceNode) node).getValue().isEmpty()) {
            in.problem(node, key + ": expected at least one path glob, e.g. [\"/api/**\"]");
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

    private static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || TOKEN_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
