package org.sluice.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.AddressedEnvelope;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Asks the test server raw questions, so the resolver's behaviour under test is not what checks the server. */
class TestDnsServerTest {

    private TestDnsServer server;
    private MultiThreadIoEventLoopGroup group;
    private DnsNameResolver client;

    @BeforeEach
    void start() {
        server = TestDnsServer.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        client = new DnsNameResolverBuilder(group.next()).datagramChannelType(NioDatagramChannel.class)
                .resolveCache(NoopDnsCache.INSTANCE)
                .nameServerProvider(new SingletonDnsServerAddressStreamProvider(server.address()))
                .queryTimeoutMillis(2_000).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        server.close();
    }

    private record Reply(DnsResponseCode code, int answers) {}

    private Reply ask(String name, DnsRecordType type) throws Exception {
        AddressedEnvelope<DnsResponse, InetSocketAddress> envelope =
                client.query(new DefaultDnsQuestion(name, type)).get(5, TimeUnit.SECONDS);
        try {
            return new Reply(envelope.content().code(), envelope.content().count(DnsSection.ANSWER));
        } finally {
            envelope.release();
        }
    }

    @Test
    void listensOnLoopback() {
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.address().getPort()).isPositive();
    }

    @Test
    void anUnknownNameIsNxdomainAndAMissingFamilyIsAnEmptyNoerror() throws Exception {
        server.answer("four.sluice.test", 60, "127.0.0.2", "127.0.0.3");

        assertThat(ask("nothing.sluice.test", DnsRecordType.A)).isEqualTo(new Reply(DnsResponseCode.NXDOMAIN, 0));
        assertThat(ask("four.sluice.test", DnsRecordType.A)).isEqualTo(new Reply(DnsResponseCode.NOERROR, 2));
        assertThat(ask("four.sluice.test", DnsRecordType.AAAA)).isEqualTo(new Reply(DnsResponseCode.NOERROR, 0));
    }

    @Test
    void namesMatchWhateverTheirCaseAndTrailingDot() throws Exception {
        server.answer("Mixed.Sluice.Test.", 60, "127.0.0.2");

        assertThat(ask("mixed.sluice.test", DnsRecordType.A).answers()).isEqualTo(1);
        assertThat(ask("MIXED.sluice.test.", DnsRecordType.A).answers()).isEqualTo(1);
        assertThat(server.queries("mixed.SLUICE.test.")).isEqualTo(2);
    }

    @Test
    void aNewAnswerReplacesOnlyItsOwnFamily() throws Exception {
        server.answer("both.sluice.test", 60, "127.0.0.2", "fd00::2");
        server.answer("both.sluice.test", 60, "fd00::3", "fd00::4", "fd00::5");

        assertThat(ask("both.sluice.test", DnsRecordType.A).answers()).isEqualTo(1);
        assertThat(ask("both.sluice.test", DnsRecordType.AAAA).answers()).isEqualTo(3);
    }
}
