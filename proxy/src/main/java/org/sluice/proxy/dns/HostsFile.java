package org.sluice.proxy.dns;

import io.netty.resolver.HostsFileEntriesProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The entries of the hosts file the config names ({@code forward.dns.hostsFile}), read once at start. Sluice never
 * reads the machine's {@code /etc/hosts} on its own: a container or pod can write that file (a mount, Kubernetes
 * {@code hostAliases}), and it would steer an allowed name to another address. {@link #NONE} has no entries.
 */
public final class HostsFile {

    /** No hosts file: every name is asked of the DNS servers. */
    public static final HostsFile NONE = new HostsFile(Map.of(), Map.of());

    /** Reads a hosts file; tests pass one that records what it was asked to read. */
    @FunctionalInterface
    public interface Reader {
        HostsFile read(Path file) throws IOException;
    }

    private final Map<String, List<InetAddress>> ipv4;
    private final Map<String, List<InetAddress>> ipv6;

    private HostsFile(Map<String, List<InetAddress>> ipv4, Map<String, List<InetAddress>> ipv6) {
        this.ipv4 = Map.copyOf(ipv4);
        this.ipv6 = Map.copyOf(ipv6);
    }

    /** Parses file in the /etc/hosts format (names compared in lower case); an unreadable file is an IOException. */
    public static HostsFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such file: " + file);
        }
        HostsFileEntriesProvider entries = HostsFileEntriesProvider.parser().parse(file.toFile(),
                StandardCharsets.UTF_8);
        return new HostsFile(entries.ipv4Entries(), entries.ipv6Entries());
    }

    /** The file's addresses for host (lower case, no trailing dot), IPv4 first; empty when it has none. */
    List<InetAddress> addresses(String host) {
        List<InetAddress> found = new ArrayList<>(ipv4.getOrDefault(host, List.of()));
        found.addAll(ipv6.getOrDefault(host, List.of()));
        return List.copyOf(found);
    }
}
