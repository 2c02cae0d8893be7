package org.sluice.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.testing.Await;

/** The per-loop pool against a real local server: its bound, its waiting line and what it reuses. */
class LoopPoolTest {
    private static final int MAX = 2;
    private static final int MAX_WAITING = 1;
    private static final long WAIT_MILLIS = 300;

    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private Channel server;
    private final AtomicInteger accepted = new AtomicInteger();
    private LoopPool pool;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.incrementAndGet();
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .remoteAddress(server.localAddress()).handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // the production pipeline is not under test here
                    }
                });
        pool = new LoopPool(loop, l -> {
            Promise<Channel> dialled = l.newPromise();
            bootstrap.connect().addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    dialled.setSuccess(f.channel());
                } else {
                    f.channel().close();
                    dialled.setFailure(f.cause());
                }
            });
            return dialled;
        }, channel -> true, MAX, MAX_WAITING, WAIT_MILLIS);
    }

    @AfterEach
    void stop() throws Exception {
        onLoop(() -> {
            pool.close();
            return null;
        });
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void aReleasedConnectionIsReusedInsteadOfOpeningAnother() throws Exception {
        Channel first = acquired(acquire());
        release(first);
        Channel second = acquired(acquire());
        assertThat(second).isSameAs(first);
        assertThat(Await.until(accepted::get, n -> n >= 1, Duration.ofSeconds(5), "the accept")).isEqualTo(1);
    }

    @Test
    void beyondTheBoundAnAcquireWaitsForARelease() throws Exception {
        Channel a = acquired(acquire());
        acquired(acquire());
        Future<Channel> third = acquire();
        assertThat(third.isDone()).as("no third connection is opened").isFalse();

        release(a);
        assertThat(acquired(third)).isSameAs(a);
        assertThat(Await.until(accepted::get, n -> n >= MAX, Duration.ofSeconds(5), "the accepts")).isEqualTo(MAX);
    }

    @Test
    void aWaitingAcquireGetsTheSlotOfAConnectionThatCloses() throws Exception {
        Channel a = acquired(acquire());
        acquired(acquire());
        Future<Channel> third = acquire();
        a.close().sync();
        Channel fresh = acquired(third);
        assertThat(fresh).isNotSameAs(a);
        assertThat(fresh.isActive()).isTrue();
    }

    @Test
    void aWaitGivesUpAfterTheTimeoutAndTheLineIsBounded() throws Exception {
        acquired(acquire());
        acquired(acquire());
        Future<Channel> waiting = acquire();
        Future<Channel> overflow = acquire();
        assertThat(overflow.isDone()).isTrue();
        assertThat(overflow.cause()).hasMessageContaining("already wait");

        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(waiting.cause()).hasMessageContaining("became free within " + WAIT_MILLIS + " ms");
    }

    @Test
    void aConnectionThatClosedWhileIdleIsNotHandedOut() throws Exception {
        Channel first = acquired(acquire());
        release(first);
        first.close().sync();
        Channel next = acquired(acquire());
        assertThat(next).isNotSameAs(first);
        assertThat(next.isActive()).isTrue();
    }

    @Test
    void closingRefusesNewAcquiresAndClosesIdleConnections() throws Exception {
        Channel idle = acquired(acquire());
        release(idle);
        onLoop(() -> {
            pool.close();
            return null;
        });
        idle.closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(idle.isActive()).isFalse();
        assertThat(acquire().cause()).hasMessageContaining("shutting down");
    }

    private Future<Channel> acquire() throws Exception {
        return onLoop(pool::acquire);
    }

    private void release(Channel channel) throws Exception {
        onLoop(() -> {
            pool.release(channel);
            return null;
        });
    }

    private static Channel acquired(Future<Channel> future) throws Exception {
        assertThat(future.await(5, TimeUnit.SECONDS)).as("acquired within 5 s").isTrue();
        assertThat(future.cause()).isNull();
        return future.getNow();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }
}
