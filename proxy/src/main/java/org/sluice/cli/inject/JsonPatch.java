package org.sluice.cli.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Iterator;
import java.util.Map;

/**
 * An RFC 6902 JSON patch that turns one tree into another: mappings are compared field by field, anything else
 * (lists included) is replaced whole. Enough for injection, which adds fields and rewrites lists.
 */
public final class JsonPatch {

    private JsonPatch() {
    }

    /** The operations that make {@code before} equal to {@code after}; empty when they are equal. */
    public static ArrayNode diff(JsonNode before, JsonNode after) {
        ArrayNode operations = JsonNodeFactory.instance.arrayNode();
        diff("", before, after, operations);
        return operations;
    }

    private static void diff(String path, JsonNode before, JsonNode after, ArrayNode operations) {
        if (before.equals(after)) {
            return;
        }
        if (!before.isObject() || !after.isObject()) {
            operations.addObject().put("op", "replace").put("path", path).set("value", after);
            return;
        }
        for (Iterator<String> names = before.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!after.has(name)) {
                operations.addObject().put("op", "remove").put("path", path + "/" + escape(name));
            }
        }
        for (Map.Entry<String, JsonNode> field : after.properties()) {
            String child = path + "/" + escape(field.getKey());
            if (before.has(field.getKey())) {
                diff(child, before.get(field.getKey()), field.getValue(), operations);
            } else {
                operations.addObject().put("op", "add").put("path", child).set("value", field.getValue());
            }
        }
    }

    /** RFC 6901: '~' is written ~0 and '/' is written ~1, so a label like sluice/injected stays one step. */
    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
