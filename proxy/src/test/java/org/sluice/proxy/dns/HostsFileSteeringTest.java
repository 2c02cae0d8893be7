package org.sluice.proxy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.Destination;
import org.sluice.policy.Listener;
import org.sluice.policy.config.GatewayTimeouts;
import org.sluice.policy.config.UpstreamConfig;
import org.sluice.policy.net.AddressClassifier;
import org.sluice.policy.net.Cidr;
import org.sluice.proxy.Transport;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestDnsServer;
import org.sluice.proxy.upstream.CentralServerUpstream;
import org.sluice.proxy.upstream.Connector;
import org.sluice.proxy.upstream.ForwardUpstreams;

/**
 * Issue 16 item 1: a hosts file that lies (as a mounted {@code /etc/hosts} or a pod's {@code hostAliases} would)
 * cannot steer an allowed name. The true server listens on 127.0.0.1, the liar on 127.0.0.2 at the same port; the
 * test's DNS server on 127.0.0.1 gives the true address. Real connections, both for the gateway's upstream and for
 * a forward-listener destination.
 */
class HostsFileSteeringTest {

    private static final Duration QUERY_TIMEOUT = Duration.ofMillis(500);
    private static final GatewayTimeouts TIMEOUTS = new GatewayTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1), 0);
    private static final AddressClassifier LOOPBACK_ADMITTED =
            new AddressClassifier(List.of(Cidr.parse("127.0.0.0/8")));

    @TempDir
    Path folder;

    private final Transport transport = Transport.best();
    private final EventLoopGroup group = transport.newGroup(1);
    private final List<Path> hostsFilesRead = new CopyOnWriteArrayList<>();
    private TestDnsServer dns;
    private RecordingUpstream truth;
    private RecordingUpstream liar;
    private Path lyingHosts;

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start();
        truth = RecordingUpstream.start("127.0.0.1", 0);
        liar = RecordingUpstream.start("127.0.0.2", truth.port());
        dns.answer("central.sluice.test", 60, "127.0.0.1");
        dns.answer("mirror.sluice.test", 60, "127.0.0.1");
        lyingHosts = Files.writeString(folder.resolve("hosts"),
                "127.0.0.2 central.sluice.test mirror.sluice.test\n");
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        truth.close();
        liar.close();
        dns.close();
    }

    /** The machine's hosts file as this test sees it: whatever file is read, it is the lying one. */
    private HostsFile lyingMachineFile(Path asked) throws IOException {
        hostsFilesRead.add(asked);
        return HostsFile.read(lyingHosts);
    }

    private CachingResolver resolver(Path hostsFile) throws IOException {
        return new CachingResolver(new DnsSettings(List.of(dns.address()), Duration.ZERO, Duration.ofMinutes(1),
                QUERY_TIMEOUT, hostsFile), group, transport, Ticker.systemTicker(), this::lyingMachineFile);
    }

    private static Channel connected(Future<Channel> acquired) {
        assertThat(acquired.awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
        assertThat(acquired.cause()).isNull();
        return acquired.getNow();
    }

    @Test
    void theGatewayUpstreamNameGoesToTheDnsAnswerNotTheHostsFile() throws Exception {
        EventLoop loop = group.next();
        try (CachingResolver resolver = resolver(null);
             CentralServerUpstream upstream = new CentralServerUpstream(
                     new UpstreamConfig("http", "central.sluice.test", truth.port(), null, 1), TIMEOUTS, group,
                     transport, resolver::resolve, () -> LOOPBACK_ADMITTED)) {
            Channel channel = connected(loop.submit(() -> upstream.acquire(loop)).get(5, TimeUnit.SECONDS));

            assertThat(((InetSocketAddress) channel.remoteAddress()).getAddress().getHostAddress())
                    .isEqualTo("127.0.0.1");
            Await.until(() -> truth.connectionsAccepted() == 1, Duration.ofSeconds(5), "the true server connected");
            assertThat(liar.connectionsAccepted()).as("the hosts file's address").isZero();
            assertThat(dns.queries("central.sluice.test")).isPositive();
            assertThat(hostsFilesRead).isEmpty();
            channel.close().syncUninterruptibly();
        }
    }

    @Test
    void aForwardDestinationGoesToTheDnsAnswerNotTheHostsFile() throws Exception {
        EventLoop loop = group.next();
        try (CachingResolver resolver = resolver(null)) {
            ForwardUpstreams upstreams = new ForwardUpstreams(group, transport, resolver::resolve,
                    () -> LOOPBACK_ADMITTED, Duration.ofSeconds(2), Connector.DIRECT);
            Destination mirror = new Destination(Listener.FORWARD, "http", "mirror.sluice.test", truth.port());
            Channel channel = connected(loop.submit(() -> upstreams.route(mirror).acquire(loop))
                    .get(5, TimeUnit.SECONDS));

            assertThat(((InetSocketAddress) channel.remoteAddress()).getAddress().getHostAddress())
                    .isEqualTo("127.0.0.1");
            Await.until(() -> truth.connectionsAccepted() == 1, Duration.ofSeconds(5), "the true server connected");
            assertThat(liar.connectionsAccepted()).as("the hosts file's address").isZero();
            assertThat(hostsFilesRead).isEmpty();
            channel.close().syncUninterruptibly();
            upstreams.close();
        }
    }

    /** The opt-in works: a hosts file the config names is believed, for the upstream as for the forward listener. */
    @Test
    void aHostsFileTheConfigNamesIsBelieved() throws Exception {
        EventLoop loop = group.next();
        try (CachingResolver resolver = resolver(lyingHosts);
             CentralServerUpstream upstream = new CentralServerUpstream(
                     new UpstreamConfig("http", "central.sluice.test", truth.port(), null, 1), TIMEOUTS, group,
                     transport, resolver::resolve, () -> LOOPBACK_ADMITTED)) {
            Channel channel = connected(loop.submit(() -> upstream.acquire(loop)).get(5, TimeUnit.SECONDS));

            assertThat(((InetSocketAddress) channel.remoteAddress()).getAddress().getHostAddress())
                    .isEqualTo("127.0.0.2");
            Await.until(() -> liar.connectionsAccepted() == 1, Duration.ofSeconds(5), "the named file's address");
            assertThat(truth.connectionsAccepted()).isZero();
            assertThat(dns.queries("central.sluice.test")).isZero();
            assertThat(hostsFilesRead).containsExactly(lyingHosts);
            channel.close().syncUninterruptibly();
        }
    }
}
