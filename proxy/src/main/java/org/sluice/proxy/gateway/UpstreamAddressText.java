package org.sluice.proxy.gateway;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The upstream address an audit record names ({@code ip:port}, {@code [v6]:port}). A pooled connection serves many
 * exchanges of one client connection: its address is written out once, not per exchange.
 */
final class UpstreamAddressText {
    private Channel channel;
    private String text;

    String of(Channel upstream) {
        if (upstream != channel) {
            channel = upstream;
            text = format(upstream.remoteAddress());
        }
        return text;
    }

    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String ip = inet.getAddress().getHostAddress();
            return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
