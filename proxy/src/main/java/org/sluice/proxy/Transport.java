package org.sluice.proxy;

import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.function.Function;

/**
 * The I/O transport: native epoll where the library loads (Linux x86_64 and aarch64), NIO elsewhere.
 * {@code -Dsluice.transport=nio} forces NIO, e.g. to compare the two.
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Function<SocketProtocolFamily, ServerSocketChannel> serverChannelOfFamily,
                        Class<? extends SocketChannel> socketChannel,
                        Class<? extends DatagramChannel> datagramChannel) {

    public static Transport best() {
        boolean forceNio = "nio".equalsIgnoreCase(System.getProperty("sluice.transport"));
        if (!forceNio && Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel::new,
                    EpollSocketChannel.class, EpollDatagramChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(),
                family -> new NioServerSocketChannel(SelectorProvider.provider(), family), NioSocketChannel.class,
                NioDatagramChannel.class);
    }

    /**
     * Listening sockets of the bind address's own family: left to the default, 0.0.0.0 becomes a dual-stack
     * socket that also accepts IPv6 clients, a wider exposure than the config asked for.
     */
    public ChannelFactory<ServerSocketChannel> serverChannelFor(InetAddress bindAddress) {
        SocketProtocolFamily family = bindAddress instanceof Inet6Address
                ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        return () -> serverChannelOfFamily.apply(family);
    }

    public MultiThreadIoEventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory);
    }
}
