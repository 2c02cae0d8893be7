package org.sluice.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An upstream on 127.0.0.1 that keeps every byte it receives, per connection, before any parsing, and answers
 * each request it can frame with {@code 200 ok}. What it recorded is checked with {@link UpstreamStream}, a
 * parser stricter than the proxy's own, so that a request Sluice did not decide on cannot hide in the stream.
 */
public final class RawRecordingUpstream implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel server;
    private final List<ByteArrayOutputStream> connections;

    private RawRecordingUpstream(EventLoopGroup group, Channel server, List<ByteArrayOutputStream> connections) {
        this.group = group;
        this.server = server;
        this.connections = connections;
    }

    public static RawRecordingUpstream start() throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        List<ByteArrayOutputStream> connections = new CopyOnWriteArrayList<>();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                        connections.add(bytes);
                        ch.pipeline().addLast(new Tap(bytes), new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new Ok());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return new RawRecordingUpstream(group, server, connections);
    }

    public String url() {
        return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The bytes of each connection so far, in the order the connections were accepted. */
    public List<byte[]> streams() {
        List<byte[]> copies = new ArrayList<>();
        for (ByteArrayOutputStream bytes : connections) {
            synchronized (bytes) {
                copies.add(bytes.toByteArray());
            }
        }
        return copies;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Tap extends ChannelInboundHandlerAdapter {
        private final ByteArrayOutputStream bytes;

        Tap(ByteArrayOutputStream bytes) {
            this.bytes = bytes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                synchronized (bytes) {
                    bytes.writeBytes(ByteBufUtil.getBytes(buf));
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    private static final class Ok extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(new byte[] {'o', 'k'}));
            HttpUtil.setContentLength(response, 2);
            ctx.writeAndFlush(response);
        }
    }
}
