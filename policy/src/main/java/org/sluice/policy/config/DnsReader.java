package org.sluice.policy.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sluice.policy.net.IpLiteral;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads {@code forward.dns}: which servers resolve names, how long answers are kept, and an opt-in hosts file. */
final class DnsReader {

    private static final List<String> DNS_KEYS = List.of("servers", "minTtl", "maxTtl", "queryTimeout", "hostsFile");
    private static final Duration MAX_DNS_TTL = Duration.ofDays(1);
    private static final String DNS_SERVER = "an IP address with an optional port, e.g. 10.96.0.10, "
            + "127.0.0.1:5353 or [::1]:53";

    private final NodeReader in;
    /** A relative hostsFile is read from the config's own folder. */
    private final Path folder;

    DnsReader(NodeReader in, Path folder) {
        this.in = in;
        this.folder = folder;
    }

    DnsConfig read(Node node) {
        DnsConfig d = DnsConfig.DEFAULTS;
        NodeReader.Entries dns = in.mapping(node, "forward.dns", DNS_KEYS);
        if (dns == null) {
            return d;
        }
        Node serversNode = dns.value("servers");
        List<InetSocketAddress> servers = serversNode == null ? d.servers() : dnsServers(serversNode);
        Node minNode = dns.value("minTtl");
        Node maxNode = dns.value("maxTtl");
        Duration minTtl = ConfigReader.duration(in, minNode, "forward.dns.minTtl", d.minTtl(), Duration.ZERO,
                MAX_DNS_TTL);
        Duration maxTtl = ConfigReader.duration(in, maxNode, "forward.dns.maxTtl", d.maxTtl(), Duration.ZERO,
                MAX_DNS_TTL);
        if (minTtl.compareTo(maxTtl) > 0) {
            in.problem(minNode != null ? minNode : maxNode, "forward.dns.minTtl (" + minTtl.toMillis()
                    + "ms) is above forward.dns.maxTtl (" + maxTtl.toMillis() + "ms); minTtl must not exceed maxTtl "
                    + "(defaults 0s and 60s)");
        }
        Duration queryTimeout = ConfigReader.duration(in, dns.value("queryTimeout"), "forward.dns.queryTimeout",
                d.queryTimeout(), Duration.ofMillis(1), Duration.ofMillis(Integer.MAX_VALUE));
        Node hostsNode = dns.value("hostsFile");
        Path hostsFile = hostsNode == null ? null : ConfigReader.existingFile(in, folder, hostsNode,
                "forward.dns.hostsFile", "a hosts file such as /etc/hosts");
        return new DnsConfig(servers, minTtl, maxTtl, queryTimeout, hostsFile);
    }

    /** Each server an IP literal, optionally with a port (default 53); never looked up. Bad items are problems. */
    private List<InetSocketAddress> dnsServers(Node node) {
        String key = "forward.dns.servers";
        List<ScalarNode> items = in.stringList(node, key, "[\"10.96.0.10\", \"127.0.0.1:5353\", \"[::1]:53\"]");
        if (items == null) {
            return List.of();
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            InetSocketAddress server = ConfigReader.parsed(in, items.get(i), key + "[" + i + "]", DNS_SERVER,
                    DnsReader::dnsServer);
            if (server != null) {
                servers.add(server);
            }
        }
        return servers;
    }

    /** "a.b.c.d", "a.b.c.d:port", "[v6]", "[v6]:port" or a bare IPv6 literal (then without a port). */
    static InetSocketAddress dnsServer(String text) {
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + NodeReader.shorten(text) + "' has no closing ']'; expected "
                        + DNS_SERVER);
            }
            host = text.substring(1, close);
            String after = text.substring(close + 1);
            if (after.startsWith(":")) {
                port = after.substring(1);
            } else if (!after.isEmpty()) {
                throw new IllegalArgumentException("expected ':port' after ']' in '" + NodeReader.shorten(text)
                        + "'; expected " + DNS_SERVER);
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        }
        if (!IpLiteral.isLiteral(host)) {
            throw new IllegalArgumentException("'" + NodeReader.shorten(text) + "' is not an IP address: a name "
                    + "server is given by address, because finding it by name would need DNS; expected "
                    + DNS_SERVER);
        }
        int portNumber = 53;
        if (port != null) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("the port in '" + NodeReader.shorten(text)
                        + "' must be a number from 1 to 65535");
            }
            portNumber = Integer.parseInt(port);
        }
        return new InetSocketAddress(IpLiteral.parse(host), portNumber);
    }
}
