package org.sluice.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal HTTP/1.1 upstream on 127.0.0.1 that counts the TCP connections it accepts (to see pooling) and
 * records every request exactly as it arrived: request-target, headers with their spelling, body bytes.
 * Answers each request with 200 and body "ok", keeping the connection open when the request allows it.
 */
public final class RecordingUpstream implements AutoCloseable {

    /** A request as the upstream received it. */
    public record Received(String method, String uri, String version, List<Map.Entry<String, String>> headers,
                           byte[] body) {
        /** Every value of the header (case-insensitive). */
        public List<String> headers(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
        }

        public String header(String name) {
            List<String> values = headers(name);
            return values.isEmpty() ? null : values.get(0);
        }
    }

    private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

    private final EventLoopGroup group;
    private final Channel server;
    private final AtomicInteger connections;
    private final List<Received> received;

    private RecordingUpstream(EventLoopGroup group, Channel server, AtomicInteger connections, List<Received> received) {
        this.group = group;
        this.server = server;
        this.connections = connections;
        this.received = received;
    }

    public static RecordingUpstream start() throws InterruptedException {
        return start("127.0.0.1", 0);
    }

    /** Listening on {@code loopbackIp} (an address of 127.0.0.0/8) and {@code port} (0: any free port). */
    public static RecordingUpstream start(String loopbackIp, int port) throws InterruptedException {
        return start(loopbackIp, port, true);
    }

    /**
     * Same; with {@code keepAlive} false every response says {@code Connection: close} and the connection ends, so
     * a proxy cannot keep it for the next request.
     */
    public static RecordingUpstream start(String loopbackIp, int port, boolean keepAlive) throws InterruptedException {
        if (!loopbackIp.startsWith("127.")) {
            throw new IllegalArgumentException("tests listen on 127.0.0.0/8 only: " + loopbackIp);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AtomicInteger connections = new AtomicInteger();
        List<Received> received = new CopyOnWriteArrayList<>();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.incrementAndGet();
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20),
                                    new Recorder(received, keepAlive));
                        }
                    })
                    .bind(new InetSocketAddress(loopbackIp, port)).sync().channel();
            return new RecordingUpstream(group, server, connections, received);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The URL Sluice's {@code upstream} points at. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** TCP connections accepted so far. */
    public int connectionsAccepted() {
        return connections.get();
    }

    /** Requests received so far, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Recorder extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final List<Received> received;
        private final boolean keepAliveAllowed;

        Recorder(List<Received> received, boolean keepAliveAllowed) {
            this.received = received;
            this.keepAliveAllowed = keepAliveAllowed;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            received.add(new Received(request.method().name(), request.uri(), request.protocolVersion().text(),
                    List.copyOf(request.headers().entries()), ByteBufUtil.getBytes(request.content())));
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(OK));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            HttpUtil.setContentLength(response, OK.length);
            boolean keepAlive = keepAliveAllowed && HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
