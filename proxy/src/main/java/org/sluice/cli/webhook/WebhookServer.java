package org.sluice.cli.webhook;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.sluice.cli.inject.AdmissionReviews;
import org.sluice.proxy.Transport;

/**
 * The admission webhook's HTTPS listener: TLS with the context in force when a connection opens, HTTP/1.1,
 * {@link WebhookRequestHandler}.
 */
public final class WebhookServer implements AutoCloseable {

    /** The API server sends one object per review; Kubernetes objects are at most about 1.5 MiB in etcd. */
    static final int MAX_REVIEW_BYTES = 8 * 1024 * 1024;
    static final int MAX_INITIAL_LINE_BYTES = 4096;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** The API server's own webhook timeout is at most 30 s; a connection silent this long is closed. */
    static final int READ_TIMEOUT_SECONDS = 60;

    private final EventLoopGroup group;
    private final Channel channel;

    private WebhookServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds and serves; IOException when the address cannot be bound.
     *
     * @param tls     the TLS context for a new connection, asked once per connection (a reload swaps it)
     * @param reviews what answers a review, asked once per review (a reload swaps it)
     */
    public static WebhookServer start(InetSocketAddress address, Supplier<SslContext> tls,
            Supplier<AdmissionReviews> reviews) throws IOException {
        WebhookRequestHandler handler = new WebhookRequestHandler(reviews);
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1);
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channelFactory(transport.serverChannelFor(address.getAddress()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline pipeline = ch.pipeline();
                        pipeline.addLast("tls", tls.get().newHandler(ch.alloc()));
                        pipeline.addLast("timeout", new ReadTimeoutHandler(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS));
                        pipeline.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES,
                                8192));
                        pipeline.addLast("aggregate", new HttpObjectAggregator(MAX_REVIEW_BYTES));
                        pipeline.addLast("webhook", handler);
                    }
                })
                .bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("cannot listen on " + address + ": " + bound.cause().getMessage(), bound.cause());
        }
        return new WebhookServer(group, bound.channel());
    }

    /** The bound address (port 0 in the request becomes the port picked). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
