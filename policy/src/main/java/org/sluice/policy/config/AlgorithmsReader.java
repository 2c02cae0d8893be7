package org.sluice.policy.config;

import java.util.ArrayList;
import java.util.List;
import org.sluice.policy.image.ImageReference;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the {@code algorithms} section, either a plain list of entries or a mapping with {@code requireDigest} and
 * {@code allow}; each entry is {@code image:} or {@code pattern:}, optionally with {@code digests}.
 */
final class AlgorithmsReader {

    private static final List<String> SECTION_KEYS = List.of("requireDigest", "allow");
    private static final List<String> ENTRY_KEYS = List.of("image", "pattern", "digests");
    private static final String ENTRIES = "a list of entries, each a mapping with image or pattern";
    private static final String IMAGE_EXAMPLE = "an image reference such as "
            + "harbor.example.org/algorithms/average@sha256:<64 hex digits>";
    private static final String PATTERN_EXAMPLE = "a regex for registry/repository such as "
            + "'harbor\\.example\\.org/algorithms/[a-z-]+'";

    private final NodeReader in;

    AlgorithmsReader(NodeReader in) {
        this.in = in;
    }

    /** The section; {@link AlgorithmsConfig#ABSENT} when node is null (no {@code algorithms} key). */
    AlgorithmsConfig read(Node node) {
        if (node == null) {
            return AlgorithmsConfig.ABSENT;
        }
        if (node instanceof SequenceNode) {
            return new AlgorithmsConfig(true, true, readEntries(node, "algorithms"));
        }
        if (!(node instanceof MappingNode)) {
            in.problem(node, "algorithms: expected " + ENTRIES + " (use [] to allow no image), or a mapping with "
                    + "keys " + String.join(", ", SECTION_KEYS) + ", got " + NodeReader.describe(node));
            return AlgorithmsConfig.ABSENT;
        }
        NodeReader.Entries section = in.mapping(node, "algorithms", SECTION_KEYS);
        boolean requireDigest = readBoolean(section.value("requireDigest"), "algorithms.requireDigest", true);
        Node allow = section.required("allow", ENTRIES + ", e.g. allow: [{image: ubuntu@sha256:...}]");
        List<AlgorithmEntry> entries = allow == null ? List.of() : readEntries(allow, "algorithms.allow");
        return new AlgorithmsConfig(true, requireDigest, entries);
    }

    private List<AlgorithmEntry> readEntries(Node node, String where) {
        if (!(node instanceof SequenceNode sequence)) {
            in.problem(node, where + ": expected " + ENTRIES + " (use [] to allow no image), got "
                    + NodeReader.describe(node));
            return List.of();
        }
        List<AlgorithmEntry> entries = new ArrayList<>();
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            AlgorithmEntry entry = readEntry(items.get(i), where + "[" + i + "]");
            if (entry != null) {
                entries.add(entry);
            }
        }
        return List.copyOf(entries);
    }

    private AlgorithmEntry readEntry(Node node, String where) {
        NodeReader.Entries entry = in.mapping(node, where, ENTRY_KEYS);
        if (entry == null) {
            return null;
        }
        Node imageNode = entry.value("image");
        Node patternNode = entry.value("pattern");
        Node digestsNode = entry.value("digests");
        if (imageNode == null && patternNode == null) {
            in.problem(node, "missing key 'image' or 'pattern' " + NodeReader.in(where) + "; expected image: "
                    + "NAME[:TAG][@sha256:DIGEST] or pattern: REGEX");
            return null;
        }
        if (imageNode != null && patternNode != null) {
            in.problem(patternNode, where + ": an entry has either image or pattern, not both; write two entries");
            return null;
        }
        List<String> digests = digestsNode == null ? List.of() : readDigests(digestsNode, where + ".digests");
        if (imageNode != null) {
            ImageReference image = readImage(imageNode, where + ".image");
            if (image != null && image.digest() != null && digestsNode != null) {
                in.problem(digestsNode, where + ".digests: the image already pins " + image.digest()
                        + "; give digests either in the image or in digests, not both");
                return null;
            }
            return image == null || digests == null ? null
                    : new AlgorithmEntry(image, null, digests, in.position(node));
        }
        String pattern = readPattern(patternNode, where + ".pattern");
        return pattern == null || digests == null ? null
                : new AlgorithmEntry(null, pattern, digests, in.position(node));
    }

    private ImageReference readImage(Node node, String key) {
        String text = in.text(node, key, IMAGE_EXAMPLE);
        if (text == null) {
            return null;
        }
        try {
            return ImageReference.parseWithoutDefaultTag(text);
        } catch (IllegalArgumentException e) {
            in.problem(node, key + ": '" + NodeReader.shorten(text) + "' is not a valid image reference: "
                    + e.getMessage());
            return null;
        }
    }

    private String readPattern(Node node, String key) {
        String text = in.text(node, key, PATTERN_EXAMPLE);
        if (text == null) {
            return null;
        }
        String problem = ImagePatternSyntax.problem(text);
        if (problem != null) {
            in.problem(node, key + ": " + problem);
            return null;
        }
        return text;
    }

    /** The digests, or null (with problems) when any is bad. */
    private List<String> readDigests(Node node, String key) {
        List<ScalarNode> items = in.stringList(node, key, "[sha256:<64 hex digits>]");
        if (items == null) {
            return null;
        }
        int written = ((SequenceNode) node).getValue().size();
        if (written == 0) {
            in.problem(node, key + ": expected at least one digest, e.g. [sha256:<64 hex digits>]; remove digests "
                    + "to allow any digest");
            return null;
        }
        List<String> digests = new ArrayList<>();
        boolean ok = items.size() == written;
        for (ScalarNode item : items) {
            try {
                digests.add(ImageReference.parseDigest(item.getValue()));
            } catch (IllegalArgumentException e) {
                in.problem(item, key + ": " + e.getMessage());
                ok = false;
            }
        }
        return ok ? List.copyOf(digests) : null;
    }

    private boolean readBoolean(Node node, String key, boolean fallback) {
        if (node == null) {
            return fallback;
        }
        String text = in.text(node, key, "true or false");
        if (text == null) {
            return fallback;
        }
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                in.problem(node, key + ": expected true or false, got '" + NodeReader.shorten(text) + "'");
                yield fallback;
            }
        };
    }
}
