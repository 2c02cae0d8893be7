package org.sluice.policy.content;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.sluice.policy.config.ContentConfig;

/**
 * Stages (b, JSON part), (c) and the input of (d) in one streaming pass: is the body exactly one strict JSON value
 * (UTF-8, no comments, no trailing data, no duplicate keys: a duplicate key would let the schema check one value and
 * the server read another), where does it first cross the {@code json:} limits, and, when a schema needs it, the
 * tree. The tree is built from the same tokens, never by a second parse.
 */
final class JsonShape {

    // Jackson's defaults already refuse what is not strict JSON (single quotes, NaN, leading zeros, unquoted names);
    // its nesting cap (1,000) also bounds the schema validator's recursion
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    /**
     * What one pass found.
     *
     * @param valid      the bytes are exactly one JSON value (only known when the pass ran to the end)
     * @param complete   the pass ran to the end of the body
     * @param limitCheck the {@code json} limit first crossed ({@code content.json.maxDepth}...), or null
     * @param limitReason the reason for that crossing, or null
     * @param tree       the value as a tree when asked for and valid, else null
     * @param hugeNumber a number beyond a double's range (the tree holds it as infinite, which a schema cannot
     *                   judge)
     */
    record Result(boolean valid, boolean complete, String limitCheck, String limitReason, JsonNode tree,
                  boolean hugeNumber) {
        Result(boolean valid, boolean complete, String limitCheck, String limitReason, JsonNode tree) {
            this(valid, complete, limitCheck, limitReason, tree, false);
        }
    }

    private JsonShape() {
    }

    /**
     * Reads the body once.
     *
     * @param limits     the limits to measure (never null: {@link ContentConfig.JsonLimits#NONE} measures nothing)
     * @param buildTree  build the tree (for a schema)
     * @param toTheEnd   keep reading after a limit is crossed, to learn whether the body is JSON at all
     */
    static Result read(byte[] b, int off, int len, ContentConfig.JsonLimits limits, boolean buildTree,
            boolean toTheEnd) {
        // a NUL is never in UTF-8 JSON, and Jackson would take leading NULs as a sign of UTF-16 or UTF-32
        if (!Utf8.isValid(b, off, len) || indexOfNul(b, off, len) >= 0) {
            return new Result(false, true, null, null, null);
        }
        Deque<ContainerNode<?>> containers = buildTree ? new ArrayDeque<>() : null;
        // per open container (index = its depth): elements so far, and whether it is an array
        int[] lengths = new int[16];
        boolean[] inArray = new boolean[16];
        int depth = 0;
        int numbers = 0;
        String crossedCheck = null;
        String crossedReason = null;
        JsonNode root = null;
        String field = null;
        boolean hugeNumber = false;
        boolean measuring = limits != ContentConfig.JsonLimits.NONE;
        try (JsonParser p = FACTORY.createParser(b, off, len)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new Result(false, true, null, null, null);
            }
            do {
                if (measuring && crossedCheck == null) {
                    if (t == JsonToken.FIELD_NAME || t == JsonToken.VALUE_STRING) {
                        int chars = p.getTextLength();
                        if (chars > limits.maxStringLength()) {
                            crossedCheck = "content.json.maxStringLength";
                            crossedReason = "a string in the body has " + chars + " characters; rule allows at most "
                                    + limits.maxStringLength() + " (content.json.maxStringLength)";
                        }
                    }
                    if (t != JsonToken.FIELD_NAME && !t.isStructEnd() && depth > 0 && inArray[depth]
                            && ++lengths[depth] > limits.maxArrayLength()) {
                        crossedCheck = "content.json.maxArrayLength";
                        crossedReason = "an array in the body has more than " + limits.maxArrayLength()
                                + " elements; rule allows at most " + limits.maxArrayLength()
                                + " (content.json.maxArrayLength)";
                    }
                    if (t.isNumeric() && ++numbers > limits.maxNumbers()) {
                        crossedCheck = "content.json.maxNumbers";
                        crossedReason = "the body has more than " + limits.maxNumbers()
                                + " numbers; rule allows at most " + limits.maxNumbers() + " (content.json.maxNumbers)";
                    }
                }
                if (t.isStructStart()) {
                    depth++;
                    if (depth >= lengths.length) {
                        lengths = Arrays.copyOf(lengths, lengths.length * 2);
                        inArray = Arrays.copyOf(inArray, lengths.length);
                    }
                    lengths[depth] = 0;
                    inArray[depth] = t == JsonToken.START_ARRAY;
                    if (measuring && crossedCheck == null && depth > limits.maxDepth()) {
                        crossedCheck = "content.json.maxDepth";
                        crossedReason = "the body nests more than " + limits.maxDepth()
                                + " levels; rule allows at most " + limits.maxDepth() + " (content.json.maxDepth)";
                    }
                } else if (t.isStructEnd()) {
                    depth--;
                }
                if (crossedCheck != null && !toTheEnd) {
                    return new Result(false, false, crossedCheck, crossedReason, null);
                }
                if (buildTree && crossedCheck == null) {
                    JsonNode made = switch (t) {
                        case START_OBJECT -> JsonNodeFactory.instance.objectNode();
                        case START_ARRAY -> JsonNodeFactory.instance.arrayNode();
                        case VALUE_STRING -> JsonNodeFactory.instance.textNode(p.getText());
                        case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                            case INT -> JsonNodeFactory.instance.numberNode(p.getIntValue());
                            case LONG -> JsonNodeFactory.instance.numberNode(p.getLongValue());
                            default -> JsonNodeFactory.instance.numberNode(p.getBigIntegerValue());
                        };
                        // a double, as Jackson's own tree has it: a BigDecimal of 1e999999999 would make multipleOf a bomb
                        case VALUE_NUMBER_FLOAT -> {
                            double d = p.getDoubleValue();
                            hugeNumber |= Double.isInfinite(d);
                            yield JsonNodeFactory.instance.numberNode(d);
                        }
                        case VALUE_TRUE -> JsonNodeFactory.instance.booleanNode(true);
                        case VALUE_FALSE -> JsonNodeFactory.instance.booleanNode(false);
                        case VALUE_NULL -> JsonNodeFactory.instance.nullNode();
                        default -> null;
                    };
                    if (t == JsonToken.FIELD_NAME) {
                        field = p.currentName();
                    } else if (t.isStructEnd()) {
                        ContainerNode<?> done = containers.pop();
                        if (containers.isEmpty()) {
                            root = done;
                        }
                    } else if (made != null) {
                        ContainerNode<?> parent = containers.peek();
                        if (parent instanceof ObjectNode o) {
                            o.set(field, made);
                        } else if (parent instanceof ArrayNode a) {
                            a.add(made);
                        } else if (!t.isStructStart()) {
                            root = made;
                        }
                        if (t.isStructStart()) {
                            containers.push((ContainerNode<?>) made);
                        }
                    }
                }
                t = depth == 0 ? null : p.nextToken();
                if (t == null && depth > 0) {
                    return new Result(false, true, crossedCheck, crossedReason, null);
                }
            } while (t != null);
            // exactly one value: whatever follows the first (a second value, or junk) makes the body not JSON
            boolean single = p.nextToken() == null;
            return new Result(single, true, crossedCheck, crossedReason,
                    single && buildTree && crossedCheck == null ? root : null, hugeNumber);
        } catch (IOException e) {
            // not JSON: which byte and why stays here (a parser message may quote the body)
            return new Result(false, true, crossedCheck, crossedReason, null);
        }
    }

    private static int indexOfNul(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
