package org.sluice.cli.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Applies the add/replace/remove operations on mappings that the webhook's patches use, as the API server would. */
final class JsonPatchApplier {

    private JsonPatchApplier() {
    }

    static JsonNode apply(JsonNode document, JsonNode patch) {
        JsonNode result = document.deepCopy();
        for (JsonNode operation : patch) {
            String path = operation.path("path").asText();
            int slash = path.lastIndexOf('/');
            JsonNode parent = result.at(path.substring(0, slash));
            if (!(parent instanceof ObjectNode object)) {
                throw new AssertionError("parent of " + path + " is not a mapping: " + parent);
            }
            String name = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
            switch (operation.path("op").asText()) {
                case "add" -> object.set(name, operation.get("value"));
                case "replace" -> {
                    if (!object.has(name)) {
                        throw new AssertionError("replace of a missing " + path);
                    }
                    object.set(name, operation.get("value"));
                }
                case "remove" -> object.remove(name);
                default -> throw new AssertionError("unexpected operation " + operation);
            }
        }
        return result;
    }
}
