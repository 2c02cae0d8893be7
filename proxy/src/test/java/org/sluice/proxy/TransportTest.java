package org.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void nativeEpollIsChosenOnLinuxAndCanConnect() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux")
                && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")),
                "the epoll library ships for Linux x86_64 and aarch64 only");
        Transport transport = Transport.best();
        assertThat(transport.name()).isEqualTo("epoll");
        // Accepting alone once worked with mismatched native libraries while every outbound connect failed.
        assertConnectsToItself(transport);
    }

    @Test
    void nioCanBeForcedAndConnects() throws Exception {
        String before = System.getProperty("sluice.transport");
        System.setProperty("sluice.transport", "nio");
        try {
            Transport transport = Transport.best();
            assertThat(transport.name()).isEqualTo("nio");
            assertConnectsToItself(transport);
        } finally {
            if (before == null) {
                System.clearProperty("sluice.transport");
            } else {
                System.setProperty("sluice.transport", before);
            }
        }
    }

    private static void assertConnectsToItself(Transport transport) throws InterruptedException {
        MultiThreadIoEventLoopGroup group = transport.newGroup(1);
        try {
            Channel server = new ServerBootstrap().group(group)
                    .channelFactory(transport.serverChannelFor(InetAddress.getLoopbackAddress()))
                    .childHandler(new ChannelInboundHandlerAdapter()).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            ChannelFuture connect = new Bootstrap().group(group).channel(transport.socketChannel())
                    .handler(new ChannelInboundHandlerAdapter()).connect("127.0.0.1", port).await();
            assertThat(connect.cause()).isNull();
            assertThat(connect.isSuccess()).isTrue();
            connect.channel().close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).sync();
        }
    }
}
