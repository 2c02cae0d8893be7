package org.sluice.policy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads what Sluice adds to every request it sends to the gateway's upstream: {@code gateway.upstream.headers}
 * (a value, or a file and a prefix) and {@code gateway.upstream.clientAuthorization}.
 */
final class InjectedHeadersReader {

    /** Headers Sluice owns or that describe the connection: gateway.upstream.headers may not set them. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "connection", "keep-alive",
            "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length", "expect", "via",
            "proxy-authorization", "proxy-authenticate", "x-sluice-request-id");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final NodeReader in;
    /** Relative file names are read from the config's own folder. */
    private final Path folder;

    InjectedHeadersReader(NodeReader in, Path folder) {
        this.in = in;
        this.folder = folder;
    }

    /** {@code config} with the headers and clientAuthorization written under the upstream's mapping {@code node}. */
    UpstreamConfig withHeaders(UpstreamConfig config, Node node) {
        if (!(node instanceof MappingNode mapping)) {
            return config;
        }
        Node headersNode = null;
        Node authNode = null;
        for (NodeTuple tuple : mapping.getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
            if (key.equals("headers")) {
                headersNode = tuple.getValueNode();
            } else if (key.equals("clientAuthorization")) {
                authNode = tuple.getValueNode();
            }
        }
        List<InjectedHeader> headers = headersNode == null ? List.of() : injectedHeaders(headersNode);
        boolean setsAuthorization = headers.stream().anyMatch(h -> h.name().equalsIgnoreCase("authorization"));
        boolean strip = setsAuthorization;
        if (authNode != null) {
            String text = in.text(authNode, "gateway.upstream.clientAuthorization", "strip or forward");
            if ("strip".equals(text) || "forward".equals(text)) {
                strip = text.equals("strip");
            } else if (text != null) {
                in.problem(authNode, "gateway.upstream.clientAuthorization: expected strip or forward, got '"
                        + NodeReader.shorten(text) + "'");
            }
        }
        return config.withHeaders(headers, strip);
    }

    private List<InjectedHeader> injectedHeaders(Node node) {
        String where = "gateway.upstream.headers";
        if (!(node instanceof MappingNode mapping)) {
            in.problem(node, where + ": expected a mapping of header name to a value or {file: PATH, prefix: ...}, "
                    + "got " + NodeReader.describe(node));
            return List.of();
        }
        List<InjectedHeader> headers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String name = in.text(tuple.getKeyNode(), where, "a header name");
            if (name == null) {
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HEADER_NAME.matcher(name).matches()) {
                in.problem(tuple.getKeyNode(), where + ": '" + NodeReader.shorten(name) + "' is not a header name");
                continue;
            }
            if (RESERVED_HEADERS.contains(lower)) {
                in.problem(tuple.getKeyNode(), where + ": Sluice sets or removes " + name + " itself (a hop-by-hop "
                        + "or framing header, Host, Via or X-Sluice-Request-Id); it cannot be injected");
                continue;
            }
            if (!seen.add(lower)) {
                in.problem(tuple.getKeyNode(), where + ": " + name + " is set twice (names ignore case)");
                continue;
            }
            Node valueNode = tuple.getValueNode();
            String key = where + "." + name;
            if (valueNode instanceof MappingNode) {
                NodeReader.Entries entry = in.mapping(valueNode, key, List.of("file", "prefix"));
                if (entry == null) {
                    continue;
                }
                Node fileNode = entry.required("file", "the file holding the value, e.g. /var/run/secrets/token");
                Path file = fileNode == null ? null : ConfigReader.existingFile(in, folder, fileNode, key + ".file",
                        "a file holding the value");
                Node prefixNode = entry.value("prefix");
                String prefix = prefixNode == null ? "" : in.text(prefixNode, key + ".prefix", "text such as 'Bearer '");
                if (prefix != null && !validValue(prefix)) {
                    in.problem(prefixNode, key + ".prefix: a header value cannot hold a line break or NUL");
                } else if (file != null && prefix != null) {
                    headers.add(new InjectedHeader(name, null, file, prefix));
                }
            } else {
                String value = in.text(valueNode, key, "a value, or {file: PATH, prefix: ...}");
                if (value != null && !validValue(value)) {
                    in.problem(valueNode, key + ": a header value cannot hold a line break or NUL");
                } else if (value != null) {
                    headers.add(new InjectedHeader(name, value, null, ""));
                }
            }
        }
        return headers;
    }

    private static boolean validValue(String value) {
        return value.indexOf('\r') < 0 && value.indexOf('\n') < 0 && value.indexOf('\0') < 0;
    }
}
