package org.sluice.policy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sluice.policy.Echo;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads SnakeYAML nodes as typed values and collects every problem with its 1-based position, so that one run
 * reports everything wrong with a file.
 */
final class NodeReader {

    private static final int SHOWN_VALUE_CHARS = 60;

    private final Path file;
    private final List<Problem> problems = new ArrayList<>();

    NodeReader(Path file) {
        this.file = file;
    }

    Position position(Node node) {
        return position(node.getStartMark());
    }

    Position position(Mark mark) {
        return mark == null ? new Position(file, 1, 1) : new Position(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    void problem(Node node, String message) {
        problems.add(new Problem(position(node), message));
    }

    void problem(Position position, String message) {
        problems.add(new Problem(position, message));
    }

    boolean hasProblems() {
        return !problems.isEmpty();
    }

    /** Every problem so far, sorted by position (stable for problems at the same place). */
    List<Problem> sortedProblems() {
        List<Problem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingInt((Problem p) -> p.position().line())
                .thenComparingInt(p -> p.position().column()));
        return sorted;
    }

    /**
     * The entries of a mapping, refusing duplicate and unknown keys; null (with a problem) when node is no mapping.
     *
     * @param where     dotted location for messages, "" for the top level
     * @param allowed   the keys this mapping accepts, in the order the message lists them
     * @param misplaced keys that exist elsewhere, with the sentence that says where they belong
     */
    Entries mapping(Node node, String where, List<String> allowed, Map<String, String> misplaced) {
        if (!(node instanceof MappingNode mappingNode)) {
            problem(node, (where.isEmpty() ? "the config" : where) + ": expected a mapping with keys "
                    + String.join(", ", allowed) + ", got " + describe(node));
            return null;
        }
        Map<String, NodeTuple> byKey = new LinkedHashMap<>();
        for (NodeTuple tuple : mappingNode.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey) || scalarKey.getTag().equals(Tag.NULL)) {
                problem(keyNode, "a key " + in(where) + " must be a plain word, got " + describe(keyNode)
                        + "; expected one of: " + String.join(", ", allowed));
                continue;
            }
            String key = scalarKey.getValue();
            NodeTuple first = byKey.get(key);
            if (first != null) {
                problem(keyNode, "duplicate key '" + key + "' " + in(where) + "; it is already set at line "
                        + position(first.getKeyNode()).line() + " and each key may appear once");
            } else if (misplaced.containsKey(key)) {
                problem(keyNode, misplaced.get(key));
            } else if (!allowed.contains(key)) {
                problem(keyNode, "unknown key '" + shorten(key) + "' " + in(where) + "; expected one of: "
                        + String.join(", ", allowed));
            } else {
                byKey.put(key, tuple);
            }
        }
        return new Entries(mappingNode, where, byKey);
    }

    Entries mapping(Node node, String where, List<String> allowed) {
        return mapping(node, where, allowed, Map.of());
    }

    /** The text of a scalar; null (with a problem) for a mapping, a list or an empty value. */
    String text(Node node, String key, String expected) {
        if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
            return scalar.getValue();
        }
        problem(node, key + ": expected " + expected + ", got " + describe(node));
        return null;
    }

    /** The scalars of a list of strings; null (with a problem) when node is not a list. Bad items are reported. */
    List<ScalarNode> stringList(Node node, String key, String example) {
        if (!(node instanceof SequenceNode sequence)) {
            problem(node, key + ": expected a list of strings, e.g. " + example + ", got " + describe(node));
            return null;
        }
        List<ScalarNode> items = new ArrayList<>();
        List<Node> values = sequence.getValue();
        for (int i = 0; i < values.size(); i++) {
            Node item = values.get(i);
            if (item instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
                items.add(scalar);
            } else {
                problem(item, key + "[" + i + "]: expected a string, got " + describe(item));
            }
        }
        return items;
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof ScalarNode scalar) {
            return scalar.getTag().equals(Tag.NULL) ? "an empty value" : "'" + shorten(scalar.getValue()) + "'";
        }
        return "nothing";
    }

    /** Values are echoed in messages; keep them short and on one line. */
    static String shorten(String value) {
        return Echo.shorten(value, SHOWN_VALUE_CHARS);
    }

    static String in(String where) {
        return where.isEmpty() ? "at top level" : "under " + where;
    }

    static String child(String where, String key) {
        return where.isEmpty() ? key : where + "." + key;
    }

    /** The accepted entries of one mapping. */
    final class Entries {
        private final MappingNode node;
        private final String where;
        private final Map<String, NodeTuple> byKey;

        private Entries(MappingNode node, String where, Map<String, NodeTuple> byKey) {
            this.node = node;
            this.where = where;
            this.byKey = byKey;
        }

        /** The value node of key, or null when the key is absent. */
        Node value(String key) {
            NodeTuple tuple = byKey.get(key);
            return tuple == null ? null : tuple.getValueNode();
        }

        /** The value node of key; when absent, a problem at this mapping saying what was expected. */
        Node required(String key, String expected) {
            Node value = value(key);
            if (value == null) {
                problem(node, "missing key '" + key + "' " + in(where) + "; expected " + expected);
            }
            return value;
        }

        MappingNode node() {
            return node;
        }
    }
}
