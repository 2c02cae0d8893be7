package org.sluice.policy.config;

import java.util.List;
import org.sluice.policy.net.AddressClass;
import org.sluice.policy.net.AddressClassifier;
import org.sluice.policy.net.Cidr;
import org.sluice.policy.net.IpLiteral;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * An IP-literal upstream that the address policy refuses can never be reached (every dial is refused before a
 * socket opens), so such a config is invalid rather than a proxy that answers every request with 502. A host name
 * is not judged here: nothing is resolved while a config is read.
 */
final class UpstreamAddressCheck {

    private UpstreamAddressCheck() {}

    /** A problem at the upstream URL when it is an IP literal that {@code allowPrivate} does not admit. */
    static void check(NodeReader in, Node gatewayNode, GatewayConfig gateway, List<Cidr> allowPrivate) {
        if (gateway == null || gateway.upstream() == null || !IpLiteral.isLiteral(gateway.upstream().host())) {
            return;
        }
        AddressClass verdict = new AddressClassifier(allowPrivate)
                .classify(IpLiteral.parse(gateway.upstream().host()));
        if (verdict.allowed()) {
            return;
        }
        Node url = urlNode(gatewayNode);
        in.problem(url == null ? gatewayNode : url, "gateway.upstream: " + verdict.reason() + ", which Sluice never "
                + "connects to unless allowPrivate admits it, so every request would get 502 upstream_failed; "
                + verdict.allowPrivateHint());
    }

    /** gateway.upstream's scalar, or the url of its mapping form; null when the file has neither. */
    private static Node urlNode(Node gatewayNode) {
        Node upstream = value(gatewayNode, "upstream");
        return upstream instanceof MappingNode ? value(upstream, "url") : upstream;
    }

    private static Node value(Node mapping, String key) {
        if (!(mapping instanceof MappingNode map)) {
            return null;
        }
        for (NodeTuple tuple : map.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return tuple.getValueNode();
            }
        }
        return null;
    }
}
