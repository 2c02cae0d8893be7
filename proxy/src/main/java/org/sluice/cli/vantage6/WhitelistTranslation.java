package org.sluice.cli.vantage6;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.sluice.policy.HostNames;
import org.sluice.policy.net.AddressClassifier;
import org.sluice.policy.net.Cidr;
import org.sluice.policy.net.IpLiteral;

/**
 * A node's Squid whitelist as Sluice forward rules. Squid (vantage6-node, {@code template/squid.conf.j2}) allows a
 * request when its port is a whitelisted port and its host is a whitelisted domain ({@code dstdomain}: a leading
 * dot also matches every subdomain) or its destination address is a whitelisted IP ({@code dst}); any method, plain
 * HTTP or CONNECT. Sluice's rules say the same with hosts and ports (each host with each port, as Squid's port list
 * holds for all hosts), and are stricter where {@link #STRICTER} says. Entries Sluice cannot express are
 * {@link #unmapped()}, each with the reason.
 */
record WhitelistTranslation(List<String> hosts, List<Integer> ports, List<String> allowPrivate,
        List<String> unmapped) {

    static final String HTTP_RULE = "vantage6-whitelist-http";
    static final String TUNNEL_RULE = "vantage6-whitelist-tunnel";
    private static final int COMMENT_WIDTH = 100;

    /** Where the rules allow less than the node's Squid did; printed with them. */
    static final List<String> STRICTER = List.of(
            "plain HTTP: GET and HEAD only, without a body (Squid allowed every method); add the methods, and a "
                    + "body limit, where an algorithm must send",
            "hosts are matched by name: a whitelisted domain does not admit a request to its IP address, and a "
                    + "whitelisted IP does not admit a request by a name that resolves to it (Squid's dst does)",
            "a destination that resolves to a private address is refused unless allowPrivate lists it (Squid's "
                    + "only check was the whitelist); the whitelisted IPs that are not public are listed below",
            "a tunnel's TLS SNI must name its CONNECT host");

    static WhitelistTranslation of(NodeWhitelist whitelist) {
        Set<String> hosts = new LinkedHashSet<>();
        Set<Integer> ports = new LinkedHashSet<>();
        Set<String> allowPrivate = new LinkedHashSet<>();
        List<String> unmapped = new ArrayList<>();
        String where = whitelist.where();
        for (String domain : whitelist.domains()) {
            String entry = domain.strip();
            try {
                if (IpLiteral.isLiteral(entry)) {
                    addAddress(entry, hosts, allowPrivate);
                } else if (entry.startsWith(".")) {
                    // dstdomain .example.org: the domain itself and every name below it
                    String name = HostNames.normalize(entry.substring(1));
                    if (IpLiteral.isLiteral(name)) {
                        throw new IllegalArgumentException("a leading dot before an IP address matches nothing");
                    }
                    hosts.add(name);
                    hosts.add("*." + name);
                } else {
                    hosts.add(HostNames.normalize(entry));
                }
            } catch (IllegalArgumentException e) {
                unmapped.add(where + ".domains: '" + domain + "': " + e.getMessage());
            }
        }
        for (String ip : whitelist.ips()) {
            String entry = ip.strip();
            if (IpLiteral.isLiteral(entry)) {
                addAddress(entry, hosts, allowPrivate);
                continue;
            }
            Cidr block;
            try {
                block = Cidr.parse(entry);
            } catch (IllegalArgumentException e) {
                unmapped.add(where + ".ips: '" + ip + "': " + (entry.contains("-")
                        ? "an address range: Sluice's rules name single addresses; list the ones the algorithms need"
                        : "not an address or a CIDR block (a name here is resolved once by Squid when it starts, "
                                + "and its addresses allowed by any name); put names under domains"));
                continue;
            }
            if (block.prefix() == (block.isIpv6() ? 128 : 32)) {
                addAddress(entry.substring(0, entry.indexOf('/')), hosts, allowPrivate);
            } else {
                unmapped.add(where + ".ips: '" + ip + "': a block of addresses: Sluice's rules name single "
                        + "addresses, and Squid allowed every address in it by any name; list the ones needed");
            }
        }
        for (String port : whitelist.ports()) {
            String entry = port.strip();
            if (entry.matches("[0-9]{1,5}") && Integer.parseInt(entry) >= 1 && Integer.parseInt(entry) <= 65535) {
                ports.add(Integer.parseInt(entry));
            } else {
                unmapped.add(where + ".ports: '" + port + "': not a port 1..65535" + (entry.contains("-")
                        ? " (a range: list the ports one by one)" : ""));
            }
        }
        if (!whitelist.domains().isEmpty() || !whitelist.ips().isEmpty()) {
            if (hosts.isEmpty()) {
                unmapped.add(where + ": no host could be mapped, so there are no rules");
            } else if (ports.isEmpty()) {
                unmapped.add(where + ".ports: no port (Squid then allows nothing), so there are no rules");
            }
        }
        return new WhitelistTranslation(List.copyOf(hosts), List.copyOf(ports), List.copyOf(allowPrivate),
                List.copyOf(unmapped));
    }

    /** An IP literal as a rule's host, and in allowPrivate when it is not public. */
    private static void addAddress(String literal, Set<String> hosts, Set<String> allowPrivate) {
        String text = HostNames.normalize(literal);
        hosts.add(text);
        if (!AddressClassifier.DENY_PRIVATE.classify(IpLiteral.parse(literal)).allowed()) {
            allowPrivate.add(text + (text.indexOf(':') >= 0 ? "/128" : "/32"));
        }
    }

    boolean hasRules() {
        return !hosts.isEmpty() && !ports.isEmpty();
    }

    /** The rules (and allowPrivate) as a YAML fragment of a Sluice config, with comments saying where from. */
    String toYaml(String source) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("# Sluice forward rules for the ").append(source).append(" block of a vantage6 node config\n")
                .append("# (`sluice import vantage6`). They take the place of the node's Squid: add them to the\n")
                .append("# rules of a Sluice config that has a forward listener, drop the whitelist block from the\n")
                .append("# node config, and give the algorithms HTTP_PROXY and HTTPS_PROXY pointing at that\n")
                .append("# listener through the node's algorithm_env (docs/operations.md, \"vantage6\").\n")
                .append("# Where Sluice is stricter than Squid:\n");
        STRICTER.forEach(line -> yaml.append(wrapped("#   - ", "#     ", line)));
        if (!allowPrivate.isEmpty()) {
            yaml.append("allowPrivate:   # whitelisted addresses that are not public\n");
            allowPrivate.forEach(block -> yaml.append("  - ").append(quoted(block)).append('\n'));
        }
        if (!hasRules()) {
            return yaml.append("rules: []\n").toString();
        }
        String hostList = hosts.stream().map(WhitelistTranslation::quoted).collect(Collectors.joining(", "));
        String portList = ports.stream().map(String::valueOf).collect(Collectors.joining(", "));
        yaml.append("rules:\n")
                .append("  # Plain HTTP through HTTP_PROXY: Sluice sees and limits every request.\n")
                .append("  - name: ").append(HTTP_RULE).append('\n')
                .append("    methods: [GET, HEAD]\n")
                .append("    schemes: [http]\n")
                .append("    paths: [\"/**\"]\n")
                .append("    hosts: [").append(hostList).append("]\n")
                .append("    ports: [").append(portList).append("]\n")
                .append("    limits: {maxRequestBodyBytes: 0}\n")
                .append("  # HTTPS through HTTPS_PROXY: a tunnel; only its host and port are checked.\n")
                .append("  - name: ").append(TUNNEL_RULE).append('\n')
                .append("    methods: [CONNECT]\n")
                .append("    hosts: [").append(hostList).append("]\n")
                .append("    ports: [").append(portList).append("]\n");
        return yaml.toString();
    }

    /** A comment paragraph in lines of at most {@link #COMMENT_WIDTH} characters (a longer word stays whole). */
    private static String wrapped(String first, String next, String text) {
        StringBuilder lines = new StringBuilder(first);
        int lineStart = 0;
        for (String word : text.split(" ")) {
            boolean empty = lines.length() - lineStart == (lineStart == 0 ? first : next).length();
            if (!empty && lines.length() - lineStart + 1 + word.length() > COMMENT_WIDTH) {
                lines.append('\n');
                lineStart = lines.length();
                lines.append(next);
            } else if (!empty) {
                lines.append(' ');
            }
            lines.append(word);
        }
        return lines.append('\n').toString();
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }
}
