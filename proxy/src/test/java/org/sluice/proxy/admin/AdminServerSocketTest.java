package org.sluice.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.metrics.SluiceMetrics;

/** The initializer on a real loopback socket, as the server binds it. */
class AdminServerSocketTest {

    @Test
    void servesOverTcpWithKeepAlive() throws Exception {
        SluiceMetrics metrics = new SluiceMetrics();
        metrics.connectionOpened("gateway");
        AtomicInteger accepted = new AtomicInteger();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object child) {
                            accepted.incrementAndGet();
                            ctx.fireChannelRead(child);
                        }
                    })
                    .childHandler(new AdminServerInitializer(metrics, () -> List.of("draining"), () -> null))
                    .bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();

            HttpResponse<String> health = client.send(request(port, "/healthz"), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> ready = client.send(request(port, "/readyz"), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> text = client.send(request(port, "/metrics"), HttpResponse.BodyHandlers.ofString());

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("draining");
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("content-type")).hasValue(SluiceMetrics.CONTENT_TYPE);
            assertThat(text.body()).contains("sluice_connections_active{listener=\"gateway\"} 1.0");
            assertThat(accepted.get()).as("one connection for all three requests").isEqualTo(1);
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
    }
}
