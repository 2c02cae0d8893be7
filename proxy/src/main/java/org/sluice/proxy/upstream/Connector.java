package org.sluice.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;

/**
 * Opens the socket to an address that was already checked. Production code uses {@link Bootstrap#connect}; tests
 * substitute one that records dial attempts instead of dialling, so that a refused address is proven never dialled
 * without any packet leaving the machine.
 */
@FunctionalInterface
public interface Connector {
    Connector DIRECT = Bootstrap::connect;

    ChannelFuture connect(Bootstrap bootstrap, InetSocketAddress checked);
}
