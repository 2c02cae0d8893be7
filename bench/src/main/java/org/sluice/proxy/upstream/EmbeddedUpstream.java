package org.sluice.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.sluice.policy.Destination;
import org.sluice.policy.config.UpstreamConfig;

/**
 * The central server as one in-memory keep-alive connection, for benchmarks: every acquire hands out the same
 * EmbeddedChannel, already connected, like an idle connection from the pool. Its pipeline is the production one
 * ({@link CentralServerUpstream#addHttpHandlers}). In this package so that release detaches the relay exactly as
 * {@link CentralServerUpstream#release} does.
 */
public final class EmbeddedUpstream implements Upstream {
    private final String authority;
    private final Destination destination;
    private final EmbeddedChannel channel;
    private boolean acquired;

    public EmbeddedUpstream(UpstreamConfig config) {
        this.authority = config.authority();
        this.destination = Destination.gateway(config.scheme(), config.host(), config.port());
        this.channel = new CentralServerChannel(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()));
        CentralServerUpstream.addHttpHandlers(channel.pipeline());
    }

    /** The connection's far end: read what the gateway sent with readOutbound, answer with writeInbound. */
    public EmbeddedChannel channel() {
        return channel;
    }

    @Override
    public Future<Channel> acquire(EventLoop loop) {
        if (acquired) {
            // One connection only: a second exchange at once would be a bug in the benchmark, not a wait.
            return loop.newFailedFuture(new IllegalStateException("the embedded upstream connection is in use"));
        }
        acquired = true;
        return loop.newSucceededFuture(channel);
    }

    @Override
    public void release(Channel ch) {
        ch.pipeline().get(UpstreamChannelHandler.class).detach();
        acquired = false;
    }

    @Override
    public Destination destination() {
        return destination;
    }

    @Override
    public String authority() {
        return authority;
    }

    /** Reports an IP address as its peer, so the relay formats the audit's upstream field as it does for a socket. */
    private static final class CentralServerChannel extends EmbeddedChannel {
        private final InetSocketAddress remote;

        CentralServerChannel(InetSocketAddress remote) {
            super(false, false);
            this.remote = remote;
            try {
                register();
            } catch (Exception e) {
                throw new IllegalStateException("an embedded channel failed to register", e);
            }
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return isActive() ? remote : null;
        }
    }
}
