package org.sluice.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.GatewayTimeouts;
import org.sluice.policy.config.UpstreamConfig;
import org.sluice.policy.net.AddressCategory;
import org.sluice.policy.net.AddressClassifier;
import org.sluice.policy.net.Cidr;
import org.sluice.proxy.Transport;
import org.sluice.proxy.testing.Await;
import org.sluice.proxy.testing.RecordingUpstream;

/**
 * The address check happens before any socket: the connector seam records what would be dialled and dials
 * nothing, so these tests never open a connection (least of all to the cloud metadata service); the one test that
 * does connect uses a stand-in on 127.0.0.1.
 */
class CentralServerUpstreamAddressTest {

    private static final GatewayTimeouts TIMEOUTS = new GatewayTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 0);

    /** An IP literal is never resolved: a resolver that fails the test if asked. */
    private static final NameResolver NO_NAMES = (loop, host) -> {
        throw new AssertionError("resolved the IP literal " + host);
    };

    private final Transport transport = Transport.best();
    private final EventLoopGroup group = transport.newGroup(1);
    private final List<InetSocketAddress> dialled = new CopyOnWriteArrayList<>();
    private final AtomicReference<AddressClassifier> addresses = new AtomicReference<>(AddressClassifier.DENY_PRIVATE);

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private CentralServerUpstream upstream(String host, int port) throws Exception {
        return new CentralServerUpstream(new UpstreamConfig("http", host, port, null, 2), TIMEOUTS, group, transport,
                NO_NAMES, addresses::get, (bootstrap, checked) -> {
                    dialled.add(checked);
                    EmbeddedChannel never = new EmbeddedChannel();
                    return never.newFailedFuture(new ConnectException("recorded, not dialled"));
                });
    }

    private static Throwable failure(CentralServerUpstream upstream, EventLoop loop) {
        Future<Channel> acquired = loop.submit(() -> upstream.acquire(loop)).syncUninterruptibly().getNow();
        acquired.awaitUninterruptibly(5, TimeUnit.SECONDS);
        assertThat(acquired.isDone()).isTrue();
        assertThat(acquired.isSuccess()).isFalse();
        return acquired.cause();
    }

    @Test
    void theMetadataServiceByLiteralIsRefusedWithoutADialAttempt() throws Exception {
        try (CentralServerUpstream upstream = upstream("169.254.169.254", 80)) {
            Throwable cause = failure(upstream, group.next());

            assertThat(cause).isInstanceOf(UpstreamAddressDeniedException.class)
                    .hasMessage("169.254.169.254 is the cloud metadata service, a link-local address "
                            + "(169.254.169.254/32)");
            assertThat(((UpstreamAddressDeniedException) cause).address().category())
                    .isEqualTo(AddressCategory.LINK_LOCAL);
            assertThat(dialled).isEmpty();
        }
    }

    @Test
    void anIpv6LiteralCarryingALoopbackIpv4IsRefusedWithoutADialAttempt() throws Exception {
        try (CentralServerUpstream upstream = upstream("64:ff9b::7f00:1", 8080)) {
            assertThat(failure(upstream, group.next())).isInstanceOf(UpstreamAddressDeniedException.class)
                    .hasMessageContaining("carrying 127.0.0.1 is a loopback address");
            assertThat(dialled).isEmpty();
        }
    }

    @Test
    void anAdmittedAddressIsDialledExactlyAsChecked() throws Exception {
        addresses.set(new AddressClassifier(List.of(Cidr.parse("169.254.169.254/32"))));
        try (CentralServerUpstream upstream = upstream("169.254.169.254", 8081)) {
            assertThat(failure(upstream, group.next())).isInstanceOf(ConnectFailure.class)
                    .hasCauseInstanceOf(ConnectException.class).hasRootCauseMessage("recorded, not dialled");
            assertThat(dialled).hasSize(1);
            assertThat(dialled.get(0).isUnresolved()).isFalse();
            assertThat(dialled.get(0).getAddress().getAddress()).containsExactly(169, 254, 169, 254);
            assertThat(dialled.get(0).getPort()).isEqualTo(8081);
        }
    }

    @Test
    void thePolicyInForceIsAskedOnEveryNewConnection() throws Exception {
        addresses.set(new AddressClassifier(List.of(Cidr.parse("10.0.0.0/8"))));
        try (CentralServerUpstream upstream = upstream("10.1.2.3", 80)) {
            EventLoop loop = group.next();
            assertThat(failure(upstream, loop)).isInstanceOf(ConnectFailure.class)
                    .hasCauseInstanceOf(ConnectException.class);
            assertThat(dialled).hasSize(1);

            addresses.set(AddressClassifier.DENY_PRIVATE); // a reload without allowPrivate
            assertThat(failure(upstream, loop)).isInstanceOf(UpstreamAddressDeniedException.class)
                    .hasMessage("10.1.2.3 is a private (RFC 1918) address (10.0.0.0/8)");
            assertThat(dialled).hasSize(1);
        }
    }

    /** Loopback only: a real connection to a local stand-in, admitted and then no longer admitted. */
    @Test
    void anIdleConnectionIsNotReusedOnceThePolicyRefusesItsAddress() throws Exception {
        addresses.set(new AddressClassifier(List.of(Cidr.parse("127.0.0.0/8"))));
        try (RecordingUpstream central = RecordingUpstream.start();
             CentralServerUpstream upstream = new CentralServerUpstream(
                     new UpstreamConfig("http", "127.0.0.1", central.port(), null, 2), TIMEOUTS, group, transport,
                     NO_NAMES, addresses::get)) {
            EventLoop loop = group.next();
            Channel first = acquire(upstream, loop);
            loop.submit(() -> upstream.release(first)).syncUninterruptibly();
            assertThat(acquire(upstream, loop)).as("reused while the policy is unchanged").isSameAs(first);
            loop.submit(() -> upstream.release(first)).syncUninterruptibly();

            addresses.set(new AddressClassifier(List.of(Cidr.parse("10.0.0.0/8")))); // a reload narrows it
            assertThat(failure(upstream, loop)).isInstanceOf(UpstreamAddressDeniedException.class)
                    .hasMessage("127.0.0.1 is a loopback address (127.0.0.0/8)");
            first.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
            assertThat(first.isOpen()).isFalse();
            // The server counts a connection on its own loop, a moment after the client's connect completes.
            Await.until(() -> central.connectionsAccepted() == 1, Duration.ofSeconds(5), "the server counted it");
            assertThat(central.connectionsAccepted()).as("one connection, never a second").isEqualTo(1);
        }
    }

    private static Channel acquire(CentralServerUpstream upstream, EventLoop loop) {
        Future<Channel> acquired = loop.submit(() -> upstream.acquire(loop)).syncUninterruptibly().getNow();
        return acquired.syncUninterruptibly().getNow();
    }
}
