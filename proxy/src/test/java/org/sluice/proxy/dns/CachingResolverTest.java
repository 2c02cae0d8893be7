package org.sluice.proxy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.Transport;
import org.sluice.proxy.testing.TestDnsServer;

class CachingResolverTest {

    /** Settings without a hosts file must never read one: this reader fails the test if asked. */
    private static final HostsFile.Reader NO_HOSTS_FILE = file -> {
        throw new AssertionError("read a hosts file the settings do not name: " + file);
    };
    private static final Duration QUERY_TIMEOUT = Duration.ofMillis(300);

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private TestDnsServer server;
    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private CachingResolver resolver;

    @BeforeEach
    void start() {
        server = TestDnsServer.start();
        group = Transport.best().newGroup(1);
        loop = group.next();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (resolver != null) {
            resolver.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        server.close();
    }

    private CachingResolver resolver(Duration minTtl, Duration maxTtl) throws IOException {
        DnsSettings settings = new DnsSettings(List.of(server.address()), minTtl, maxTtl, QUERY_TIMEOUT);
        resolver = new CachingResolver(settings, group, Transport.best(), ticker, NO_HOSTS_FILE);
        return resolver;
    }

    private CachingResolver resolver() throws IOException {
        return resolver(Duration.ZERO, Duration.ofMinutes(5));
    }

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    private List<InetAddress> resolve(String host) throws Exception {
        return completed(resolver.resolve(loop, host));
    }

    private List<InetAddress> completed(Future<List<InetAddress>> future) throws Exception {
        CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
        future.addListener(f -> onLoop.complete(loop.inEventLoop()));
        List<InetAddress> addresses = future.get(5, TimeUnit.SECONDS);
        assertThat(onLoop.get(5, TimeUnit.SECONDS)).as("completed on the caller's event loop").isTrue();
        return addresses;
    }

    private UnknownHostException failure(String host) {
        Future<List<InetAddress>> future = resolver.resolve(loop, host);
        Throwable thrown = catchThrowable(() -> future.get(5, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(UnknownHostException.class);
        return (UnknownHostException) thrown.getCause();
    }

    private static List<InetAddress> ips(String... literals) {
        return Arrays.stream(literals).map(NetUtil::createInetAddressFromIpAddressString).toList();
    }

    @Test
    void aNameResolvesToItsARecord() throws Exception {
        server.answer("a.sluice.test", 60, "127.0.0.2");
        resolver();

        List<InetAddress> addresses = resolve("a.sluice.test");

        assertThat(addresses).isEqualTo(ips("127.0.0.2"));
        assertThat(addresses.get(0).getHostName()).isEqualTo("a.sluice.test");
        assertThat(server.queries("a.sluice.test")).isPositive();
        assertThat(resolver.queriesSent()).isEqualTo(server.queries("a.sluice.test"));
    }

    @Test
    void ipv4AddressesComeBeforeIpv6() throws Exception {
        server.answer("dual.sluice.test", 60, "fd00::1", "fd00::2");
        server.answer("dual.sluice.test", 60, "127.0.0.3", "127.0.0.4");
        resolver();

        assertThat(resolve("dual.sluice.test")).isEqualTo(ips("127.0.0.3", "127.0.0.4", "fd00::1", "fd00::2"));
    }

    @Test
    void aNameWithOnlyIpv6AddressesResolvesToThem() throws Exception {
        server.answer("six.sluice.test", 60, "fd00::6");
        resolver();

        assertThat(resolve("six.sluice.test")).isEqualTo(ips("fd00::6"));
    }

    @Test
    void aSecondResolveWithinTheTtlSendsNoQuery() throws Exception {
        server.answer("cached.sluice.test", 60, "127.0.0.2");
        resolver();
        resolve("cached.sluice.test");
        int asked = server.queries("cached.sluice.test");
        long sent = resolver.queriesSent();

        server.answer("cached.sluice.test", 60, "127.0.0.5");
        advance(Duration.ofSeconds(59));
        assertThat(resolve("cached.sluice.test")).isEqualTo(ips("127.0.0.2"));
        assertThat(server.queries("cached.sluice.test")).isEqualTo(asked);
        assertThat(resolver.queriesSent()).isEqualTo(sent);

        advance(Duration.ofSeconds(2));
        assertThat(resolve("cached.sluice.test")).isEqualTo(ips("127.0.0.5"));
        assertThat(server.queries("cached.sluice.test")).isGreaterThan(asked);
    }

    @Test
    void theSmallestTtlAmongTheAddressesUsedBoundsTheCache() throws Exception {
        server.answer("mixed.sluice.test", 100, "127.0.0.2");
        server.answer("mixed.sluice.test", 20, "fd00::2");
        resolver();
        resolve("mixed.sluice.test");
        int asked = server.queries("mixed.sluice.test");

        advance(Duration.ofSeconds(21));
        resolve("mixed.sluice.test");

        assertThat(server.queries("mixed.sluice.test")).isGreaterThan(asked);
    }

    @Test
    void aZeroTtlIsAskedAgainEveryTimeSoARebindIsSeenAtOnce() throws Exception {
        server.answer("rebind.sluice.test", 0, "127.0.0.2");
        resolver();
        assertThat(resolve("rebind.sluice.test")).isEqualTo(ips("127.0.0.2"));
        int asked = server.queries("rebind.sluice.test");

        server.answer("rebind.sluice.test", 0, "127.0.0.1");

        // No time passes: only a fresh query can return the new address the caller must check.
        assertThat(resolve("rebind.sluice.test")).isEqualTo(ips("127.0.0.1"));
        assertThat(server.queries("rebind.sluice.test")).isGreaterThan(asked);
    }

    @Test
    void maxTtlClampsALongTtl() throws Exception {
        server.answer("long.sluice.test", 3600, "127.0.0.2");
        resolver(Duration.ZERO, Duration.ofSeconds(10));
        resolve("long.sluice.test");
        int asked = server.queries("long.sluice.test");
        server.answer("long.sluice.test", 3600, "127.0.0.6");

        advance(Duration.ofSeconds(9));
        assertThat(resolve("long.sluice.test")).isEqualTo(ips("127.0.0.2"));
        assertThat(server.queries("long.sluice.test")).isEqualTo(asked);

        advance(Duration.ofSeconds(2));
        assertThat(resolve("long.sluice.test")).isEqualTo(ips("127.0.0.6"));
        assertThat(server.queries("long.sluice.test")).isGreaterThan(asked);
    }

    @Test
    void minTtlRaisesAZeroTtl() throws Exception {
        server.answer("short.sluice.test", 0, "127.0.0.2");
        resolver(Duration.ofSeconds(30), Duration.ofMinutes(5));
        resolve("short.sluice.test");
        int asked = server.queries("short.sluice.test");
        server.answer("short.sluice.test", 0, "127.0.0.7");

        advance(Duration.ofSeconds(29));
        assertThat(resolve("short.sluice.test")).isEqualTo(ips("127.0.0.2"));
        assertThat(server.queries("short.sluice.test")).isEqualTo(asked);

        advance(Duration.ofSeconds(2));
        assertThat(resolve("short.sluice.test")).isEqualTo(ips("127.0.0.7"));
    }

    @Test
    void anIpLiteralComesBackAsItselfWithoutAQuery() throws Exception {
        resolver();

        assertThat(resolve("127.0.0.9")).isEqualTo(ips("127.0.0.9"));
        assertThat(resolve("::1")).isEqualTo(ips("::1"));
        assertThat(resolve("fd00::5")).isEqualTo(ips("fd00::5"));

        assertThat(resolver.queriesSent()).isZero();
        assertThat(server.queries("127.0.0.9") + server.queries("::1") + server.queries("fd00::5")).isZero();
    }

    @Test
    void anUnknownNameFailsNamingTheHost() throws Exception {
        resolver();

        UnknownHostException failure = failure("missing.sluice.test");

        assertThat(failure).hasMessageContaining("missing.sluice.test").hasMessageContaining("no such name");
    }

    @Test
    void aNameWithoutAddressesFailsSayingSo() throws Exception {
        server.noRecords("bare.sluice.test");
        resolver();

        assertThat(failure("bare.sluice.test")).hasMessageContaining("bare.sluice.test")
                .hasMessageContaining("no address");
    }

    @Test
    void aServerFailureFailsSayingSo() throws Exception {
        server.serverFailure("broken.sluice.test");
        resolver();

        assertThat(failure("broken.sluice.test")).hasMessageContaining("broken.sluice.test")
                .hasMessageContaining("server failure");
    }

    /** A hosts file that lies: whatever file it is asked to read, it sends every name to 127.0.0.9. */
    private static final class LyingHostsFiles implements HostsFile.Reader {
        final List<Path> read = new CopyOnWriteArrayList<>();
        final Path lie;

        LyingHostsFiles(Path folder, String... names) throws IOException {
            StringBuilder text = new StringBuilder();
            for (String name : names) {
                text.append("127.0.0.9 ").append(name).append('\n');
            }
            lie = Files.writeString(folder.resolve("lying-hosts"), text);
        }

        @Override
        public HostsFile read(Path file) throws IOException {
            read.add(file);
            return HostsFile.read(lie);
        }
    }

    @Test
    void noHostsFileIsReadUnlessTheSettingsNameOne(@TempDir Path folder) throws Exception {
        LyingHostsFiles hostsFiles = new LyingHostsFiles(folder, "central.sluice.test");
        server.answer("central.sluice.test", 60, "127.0.0.2");
        DnsSettings settings = new DnsSettings(List.of(server.address()), Duration.ZERO, Duration.ofMinutes(5),
                QUERY_TIMEOUT);
        resolver = new CachingResolver(settings, group, Transport.best(), ticker, hostsFiles);

        assertThat(resolve("central.sluice.test")).as("the DNS answer, not the hosts file's").isEqualTo(
                ips("127.0.0.2"));
        assertThat(server.queries("central.sluice.test")).isPositive();
        assertThat(hostsFiles.read).as("no hosts file read, /etc/hosts included").isEmpty();
    }

    @Test
    void aHostsFileTheSettingsNameIsUsedWithoutAQueryAndKeptForMaxTtl(@TempDir Path folder) throws Exception {
        LyingHostsFiles hostsFiles = new LyingHostsFiles(folder, "pinned.sluice.test");
        Path named = folder.resolve("hosts");
        DnsSettings settings = new DnsSettings(List.of(server.address()), Duration.ZERO, Duration.ofSeconds(10),
                QUERY_TIMEOUT, named);
        resolver = new CachingResolver(settings, group, Transport.best(), ticker, hostsFiles);
        server.answer("pinned.sluice.test", 3600, "127.0.0.11");

        assertThat(hostsFiles.read).containsExactly(named);
        assertThat(resolve("pinned.sluice.test")).isEqualTo(ips("127.0.0.9"));
        assertThat(server.queries("pinned.sluice.test")).isZero();
        assertThat(resolver.queriesSent()).isZero();

        advance(Duration.ofSeconds(11));
        assertThat(resolve("pinned.sluice.test")).isEqualTo(ips("127.0.0.9"));
        assertThat(server.queries("pinned.sluice.test")).isZero();
        assertThat(hostsFiles.read).as("read once, at start").hasSize(1);
    }

    @Test
    void aNamedHostsFileIsParsedAndANameItLacksIsAskedOfTheServers(@TempDir Path folder) throws Exception {
        Path hosts = Files.writeString(folder.resolve("hosts"), """
                # a comment
                127.0.0.12  Listed.sluice.test   alias.sluice.test
                fd00::12    listed.sluice.test
                """);
        server.answer("unlisted.sluice.test", 60, "127.0.0.13");
        resolver = new CachingResolver(new DnsSettings(List.of(server.address()), Duration.ZERO,
                Duration.ofMinutes(5), QUERY_TIMEOUT, hosts), group, Transport.best());

        assertThat(resolve("listed.sluice.test")).isEqualTo(ips("127.0.0.12", "fd00::12"));
        assertThat(resolve("alias.sluice.test")).isEqualTo(ips("127.0.0.12"));
        assertThat(resolve("unlisted.sluice.test")).isEqualTo(ips("127.0.0.13"));
        assertThat(server.queries("listed.sluice.test")).isZero();
    }

    @Test
    void aNamedHostsFileThatCannotBeReadStopsTheStart(@TempDir Path folder) {
        Path missing = folder.resolve("missing");
        assertThatThrownBy(() -> new CachingResolver(new DnsSettings(List.of(server.address()), Duration.ZERO,
                Duration.ofMinutes(5), QUERY_TIMEOUT, missing), group, Transport.best()))
                .isInstanceOf(IOException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void localhostIsLoopbackWithoutAQuery() throws Exception {
        server.answer("localhost", 60, "127.0.0.14");
        server.answer("app.localhost", 60, "127.0.0.14");
        resolver();

        assertThat(resolve("localhost")).isEqualTo(ips("127.0.0.1"));
        assertThat(resolve("app.localhost")).isEqualTo(ips("127.0.0.1"));
        assertThat(resolver.queriesSent()).isZero();
        server.answer("localhost.sluice.test", 60, "127.0.0.15");
        assertThat(resolve("localhost.sluice.test")).as("only the localhost domain itself")
                .isEqualTo(ips("127.0.0.15"));
    }

    @Test
    void invalidNamesFailWithoutAQuery() throws Exception {
        server.answer("central.invalid", 60, "127.0.0.16");
        resolver();

        assertThat(failure("central.invalid")).hasMessage("central.invalid: no such name (the invalid domain, "
                + "RFC 6761)");
        assertThat(resolver.queriesSent()).isZero();
    }

    @Test
    void failuresAreNotCached() throws Exception {
        resolver();
        failure("late.sluice.test");

        server.answer("late.sluice.test", 60, "127.0.0.8");

        assertThat(resolve("late.sluice.test")).isEqualTo(ips("127.0.0.8"));
    }

    @Test
    void aSilentServerFailsAfterTheQueryTimeout() throws Exception {
        server.silence("silent.sluice.test");
        resolver();

        long start = System.nanoTime();
        UnknownHostException failure = failure("silent.sluice.test");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure).hasMessageContaining("silent.sluice.test")
                .hasMessageContaining("timed out after " + QUERY_TIMEOUT.toMillis() + " ms");
        assertThat(took).isGreaterThanOrEqualTo(QUERY_TIMEOUT.minusMillis(50)).isLessThan(Duration.ofSeconds(3));
        assertThat(server.queries("silent.sluice.test")).isPositive();
    }

    @Test
    void aCnameIsFollowed() throws Exception {
        server.alias("www.sluice.test", "real.sluice.test");
        server.answer("real.sluice.test", 60, "127.0.0.4");
        resolver();

        assertThat(resolve("www.sluice.test")).isEqualTo(ips("127.0.0.4"));
    }

    @Test
    void aResolveFromAnotherThreadCompletesOnTheLoop() throws Exception {
        server.answer("elsewhere.sluice.test", 60, "127.0.0.2");
        resolver();

        // completed() asserts the listener ran on the loop; here the caller is the test thread.
        assertThat(loop.inEventLoop()).isFalse();
        assertThat(resolve("elsewhere.sluice.test")).isEqualTo(ips("127.0.0.2"));
        assertThat(resolve("elsewhere.sluice.test")).isEqualTo(ips("127.0.0.2"));
    }

    @Test
    void aLoopOfAnotherGroupIsRefused() throws Exception {
        resolver();
        MultiThreadIoEventLoopGroup other = Transport.best().newGroup(1);
        try {
            assertThatThrownBy(() -> resolver.resolve(other.next(), "a.sluice.test"))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
