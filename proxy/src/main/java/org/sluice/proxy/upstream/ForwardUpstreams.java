package org.sluice.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.sluice.policy.Destination;
import org.sluice.policy.ForwardTargets;
import org.sluice.policy.net.AddressClassifier;
import org.sluice.proxy.Transport;

/**
 * Connections for the forward listener, whose destinations the client names: resolve (through the caching
 * resolver), check every address against the policy in force, and dial exactly the address that was checked. The
 * bootstraps have no resolver of their own, so nothing can resolve a name again between the check and the dial.
 * Plain-HTTP requests reuse kept-alive connections to the same destination ({@link IdleConnections}), each
 * re-checked against the policy in force before reuse; tunnels get a raw byte connection of their own.
 */
public final class ForwardUpstreams {
    private final NameResolver resolver;
    private final Supplier<AddressClassifier> addresses;
    private final Connector connector;
    private final Map<EventExecutor, Bootstrap> http = new IdentityHashMap<>();
    private final Map<EventExecutor, Bootstrap> raw = new IdentityHashMap<>();
    private final Map<EventExecutor, IdleConnections> idle = new IdentityHashMap<>();

    /**
     * @param addresses the address classifier of the policy in force, asked for every dial
     * @param connector {@link Connector#DIRECT}, or in tests one that records dial attempts
     */
    public ForwardUpstreams(EventLoopGroup group, Transport transport, NameResolver resolver,
                            Supplier<AddressClassifier> addresses, Duration connectTimeout, Connector connector) {
        this.resolver = resolver;
        this.addresses = addresses;
        this.connector = connector;
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        for (EventExecutor executor : group) {
            Bootstrap base = new Bootstrap()
                    .group((EventLoop) executor)
                    .channel(transport.socketChannel())
                    .resolver(NoopAddressResolverGroup.INSTANCE) // dials only addresses this class checked
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
                    .option(ChannelOption.TCP_NODELAY, true);
            raw.put(executor, base);
            idle.put(executor, new IdleConnections((EventLoop) executor,
                    kept -> AddressCheck.stillAllowed(kept, addresses.get())));
            http.put(executor, base.clone()
                    // As for the central server: a failed write shuts only the output, so an early answer is read.
                    .option(ChannelOption.AUTO_CLOSE, false)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            CentralServerUpstream.addHttpHandlers(ch.pipeline());
                        }
                    }));
        }
    }

    /**
     * Resolves {@code host}, checks every address, and completes (on loop) with the one to dial; fails with
     * {@link UpstreamAddressDeniedException} when any is refused, or {@link UnknownHostException} when the name
     * does not resolve.
     */
    public Future<InetSocketAddress> check(EventLoop loop, String host, int port) {
        Promise<InetSocketAddress> checked = loop.newPromise();
        AddressClassifier classifier = addresses.get();
        resolver.resolve(loop, host).addListener((FutureListener<List<InetAddress>>) resolved -> {
            if (!resolved.isSuccess()) {
                checked.tryFailure(resolved.cause());
                return;
            }
            if (resolved.getNow().isEmpty()) {
                checked.tryFailure(new UnknownHostException(host + " has no address"));
                return;
            }
            try {
                checked.trySuccess(new InetSocketAddress(AddressCheck.choose(resolved.getNow(), classifier), port));
            } catch (UpstreamAddressDeniedException denied) {
                checked.tryFailure(denied);
            }
        });
        return checked;
    }


    /** Closes the idle connections of every loop (Sluice is stopping). */
    public void close() {
        idle.forEach((loop, pool) -> {
            if (!loop.isShuttingDown()) {
                loop.execute(pool::close);
            }
        });
    }

    /** A raw connection for a tunnel to an address {@link #check} returned; {@code handler} reads its bytes. */
    public ChannelFuture connectTunnel(EventLoop loop, InetSocketAddress checked, ChannelHandler handler) {
        return connector.connect(raw.get(loop).clone().handler(handler), checked);
    }

    /** The upstream of one plain-HTTP forward request: a fresh, checked connection to its destination. */
    public Upstream route(Destination destination) {
        return new OneRequest(destination);
    }

    private final class OneRequest implements Upstream {
        private final Destination destination;
        private final String authority;

        OneRequest(Destination destination) {
            this.destination = destination;
            this.authority = ForwardTargets.authority(destination);
        }

        @Override
        public Future<Channel> acquire(EventLoop loop) {
            IdleConnections pool = idle.get(loop);
            Channel kept = pool.poll(destination);
            if (kept != null) {
                return loop.newSucceededFuture(kept);
            }
            Promise<Channel> acquired = loop.newPromise();
            AddressClassifier classifier = addresses.get();
            check(loop, destination.host(), destination.port()).addListener(
                    (FutureListener<InetSocketAddress>) checked -> {
                        if (!checked.isSuccess()) {
                            acquired.tryFailure(checked.cause());
                            return;
                        }
                        connector.connect(http.get(loop), checked.getNow()).addListener((ChannelFutureListener) f -> {
                            if (!f.isSuccess()) {
                                f.channel().close();
                                acquired.tryFailure(new ConnectFailure(authority, checked.getNow(), f.cause()));
                                return;
                            }
                            AddressCheck.checked(f.channel(), classifier);
                            pool.track(destination, f.channel());
                            if (!acquired.trySuccess(f.channel())) {
                                f.channel().close();
                            }
                        });
                    });
            return acquired;
        }

        /** Kept for the next request to the same destination (the relay calls this only after a clean exchange). */
        @Override
        public void release(Channel channel) {
            channel.pipeline().get(UpstreamChannelHandler.class).detach();
            idle.get(channel.eventLoop()).offer(destination, channel);
        }

        @Override
        public Destination destination() {
            return destination;
        }

        @Override
        public String authority() {
            return authority;
        }

        @Override
        public String describe() {
            return authority;
        }
    }
}
