package org.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 1,000-connection tail: a listener's event loop also serves every connection it accepted, so a burst of new
 * connections waiting in the backlog must be accepted in one batch, not one per turn of the loop (Netty 4.2's default
 * with epoll; 16 with NIO) behind every busy connection's next request.
 */
class ListenerAcceptTest {
    /** More than NIO's default of 16 per turn; under the smallest backlog a kernel may impose (128). */
    private static final int BURST = 100;

    @ParameterizedTest
    @ValueSource(strings = {"best", "nio"})
    void aBurstWaitingInTheBacklogIsAcceptedInOneBatch(String which) throws Exception {
        Transport transport = transport(which);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        MultiThreadIoEventLoopGroup group = transport.newGroup(1);
        List<Socket> clients = new ArrayList<>();
        try {
            // On the listener's own pipeline: a read per accepted connection, a read-complete after each batch.
            AtomicInteger accepted = new AtomicInteger();
            CompletableFuture<Integer> firstBatch = new CompletableFuture<>();
            ChannelInboundHandlerAdapter batches = new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object child) {
                    accepted.incrementAndGet();
                    ctx.fireChannelRead(child);
                }

                @Override
                public void channelReadComplete(ChannelHandlerContext ctx) {
                    if (accepted.get() > 0) {
                        firstBatch.complete(accepted.get());
                    }
                    ctx.fireChannelReadComplete();
                }
            };
            Channel server = SluiceServer.listener(group, transport, loopback, nothing())
                    .handler(batches)
                    .bind(new InetSocketAddress(loopback, 0)).sync().channel();

            // The loop is busy (as with 1,000 connections to serve) while the burst arrives and waits in the backlog.
            EventLoop loop = server.eventLoop();
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                busy.countDown();
                awaitQuietly(release);
            });
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < BURST; i++) {
                Socket client = new Socket();
                clients.add(client);
                client.connect(server.localAddress(), 5_000); // the kernel completes the handshake: it is in the backlog
            }
            release.countDown();

            assertThat(firstBatch.get(10, TimeUnit.SECONDS)).isEqualTo(BURST);
            server.close().sync();
        } finally {
            for (Socket client : clients) {
                closeQuietly(client);
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    /** A child handler that adds nothing: the test looks only at the listener. */
    private static ChannelInitializer<Channel> nothing() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                // accepted, and left as it is
            }
        };
    }

    private static Transport transport(String which) {
        if (!which.equals("nio")) {
            return Transport.best();
        }
        String before = System.getProperty("sluice.transport");
        System.setProperty("sluice.transport", "nio");
        try {
            return Transport.best();
        } finally {
            if (before == null) {
                System.clearProperty("sluice.transport");
            } else {
                System.setProperty("sluice.transport", before);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the test's own client socket; nothing to do
        }
    }
}
