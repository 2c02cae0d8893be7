package org.sluice.proxy.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.sluice.policy.Policy;
import org.sluice.proxy.metrics.SluiceMetrics;

/**
 * Serves GET /healthz (200 "ok"), /readyz (200 when ready, else 503; the body says what is not ready and which
 * policy is in force), /metrics.
 */
public final class AdminServerInitializer extends ChannelInitializer<SocketChannel> {

    /** Admin requests are bodiless GETs; anything bigger is refused by the aggregator with 413. */
    static final int MAX_REQUEST_BODY_BYTES = 1024;
    static final int MAX_INITIAL_LINE_BYTES = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    /** Closes connections that send nothing for this long, so idle or stalled clients cannot pile up. */
    static final int READ_TIMEOUT_SECONDS = 120;

    private final AdminRequestHandler handler;

    /**
     * @param notReady returns the reasons Sluice is not ready (empty list = ready), e.g. "audit log not writable"
     * @param policy   returns the policy in force, asked on every /readyz
     */
    public AdminServerInitializer(SluiceMetrics metrics, Supplier<List<String>> notReady, Supplier<Policy> policy) {
        this.handler = new AdminRequestHandler(Objects.requireNonNull(metrics, "metrics"),
                Objects.requireNonNull(notReady, "notReady"), Objects.requireNonNull(policy, "policy"));
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        configure(ch.pipeline());
    }

    /** Builds the pipeline; separate from {@link #initChannel} so tests can run it on an EmbeddedChannel. */
    void configure(ChannelPipeline pipeline) {
        pipeline.addLast("timeout", new ReadTimeoutHandler(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        pipeline.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192));
        pipeline.addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BODY_BYTES));
        pipeline.addLast("admin", handler);
    }
}
