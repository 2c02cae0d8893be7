package org.sluice.cli.vantage6;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The {@code whitelist} block of a vantage6 node configuration ({@code domains}, {@code ips}, {@code ports}), from
 * which the node builds its Squid proxy (vantage6-node, {@code docker/squid.py}). The block is read where current
 * nodes keep it, at the top level, or under {@code application:} or {@code environments: {NAME: ...}} as older
 * configuration files have it. Entries are kept as written (text); {@link WhitelistTranslation} judges them.
 */
record NodeWhitelist(String where, List<String> domains, List<String> ips, List<String> ports) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * Reads the whitelist block out of a node configuration's text.
     *
     * @param environment the environment to take under {@code environments:}, or null for the only one that has a
     *     whitelist
     * @throws IllegalArgumentException with a sentence saying what is wrong (not YAML, no block, a wrong type)
     */
    static NodeWhitelist read(String yaml, String environment) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a node configuration: expected a mapping at the top level");
        }
        String where = "whitelist";
        JsonNode config = root;
        if (environment != null) {
            config = root.path("environments").path(environment);
            where = "environments." + environment + ".whitelist";
            if (!config.isObject()) {
                throw new IllegalArgumentException("no environment '" + environment + "' under environments:");
            }
        } else if (!root.has("whitelist") && root.path("application").has("whitelist")) {
            config = root.get("application");
            where = "application.whitelist";
        } else if (!root.has("whitelist") && root.path("environments").isObject()) {
            List<String> withWhitelist = new ArrayList<>();
            root.get("environments").fields().forEachRemaining(e -> {
                if (e.getValue().has("whitelist")) {
                    withWhitelist.add(e.getKey());
                }
            });
            if (withWhitelist.size() > 1) {
                throw new IllegalArgumentException("environments " + withWhitelist + " each have a whitelist: "
                        + "choose one with --environment");
            }
            if (withWhitelist.size() == 1) {
                config = root.get("environments").get(withWhitelist.get(0));
                where = "environments." + withWhitelist.get(0) + ".whitelist";
            }
        }
        JsonNode block = config.get("whitelist");
        if (block == null || block.isNull()) {
            throw new IllegalArgumentException("no whitelist block: the node starts no Squid, so its algorithms "
                    + "reach no host but the node's proxy server; there is nothing to import");
        }
        if (!block.isObject()) {
            throw new IllegalArgumentException(where + " must be a mapping with domains, ips and ports");
        }
        Iterator<String> keys = block.fieldNames();
        while (keys.hasNext()) {
            String key = keys.next();
            if (!List.of("domains", "ips", "ports").contains(key)) {
                // Squid's config is built with SquidConfig(**whitelist): another key stops the node's Squid.
                throw new IllegalArgumentException(where + "." + key + ": unknown key (the node accepts domains, "
                        + "ips and ports; it would not start its Squid with this block)");
            }
        }
        return new NodeWhitelist(where, texts(block, where, "domains"), texts(block, where, "ips"),
                texts(block, where, "ports"));
    }

    private static List<String> texts(JsonNode block, String where, String key) {
        JsonNode list = block.get(key);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(where + "." + key + " must be a list");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode item : list) {
            if (!item.isValueNode() || item.isNull()) {
                throw new IllegalArgumentException(where + "." + key + ": every entry must be a single value, got "
                        + item);
            }
            texts.add(item.asText());
        }
        return List.copyOf(texts);
    }
}
