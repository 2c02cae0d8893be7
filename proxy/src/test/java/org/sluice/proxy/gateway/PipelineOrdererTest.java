package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PipelineOrdererTest {
    private EmbeddedChannel channel;
    private PipelineOrderer orderer;
    private final List<Object> passed = new ArrayList<>();

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        ConnectionContext conn = new ConnectionContext(channel, null, "127.0.0.1");
        orderer = new PipelineOrderer(conn);
        channel.pipeline().addLast(orderer, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passed.add(msg instanceof HttpRequest r ? r.uri() : msg instanceof LastHttpContent ? "end" : "part");
                ReferenceCountUtil.release(msg);
            }
        });
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aPipelinedRequestWaitsUntilThePreviousExchangeIsDone() {
        channel.writeInbound(get("/one"), LastHttpContent.EMPTY_LAST_CONTENT, get("/two"),
                LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(passed).containsExactly("/one", "end");
        assertThat(channel.config().isAutoRead()).as("reading pauses while /two waits behind /one").isFalse();

        orderer.exchangeDone();
        assertThat(passed).containsExactly("/one", "end", "/two", "end");
        assertThat(channel.config().isAutoRead()).as("nothing waits any more").isTrue();

        channel.writeInbound(get("/three"));
        assertThat(passed).hasSize(4);
        assertThat(channel.config().isAutoRead()).as("/three waits behind /two").isFalse();
        orderer.exchangeDone();
        assertThat(passed).endsWith("/three");
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void bodyPartsOfTheCurrentRequestFlowWhileItIsOpen() {
        channel.writeInbound(post("/up"), part(), part());
        assertThat(passed).containsExactly("/up", "part", "part");
        assertThat(channel.config().isAutoRead()).isTrue();
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(passed).endsWith("end");
        assertThat(channel.config().isAutoRead()).as("a client that waits for its response is not paused").isTrue();
    }

    @Test
    void anExchangeRefusedBeforeItsBodyEndsStillLetsTheRestOfThatBodyThrough() {
        channel.writeInbound(post("/refused"), part());
        orderer.exchangeDone();
        channel.writeInbound(part(), LastHttpContent.EMPTY_LAST_CONTENT, get("/next"));
        assertThat(passed).containsExactly("/refused", "part", "part", "end", "/next");
    }

    @Test
    void waitingRequestsAreReleasedWhenTheConnectionCloses() {
        DefaultHttpContent waitingPart = part();
        channel.writeInbound(get("/one"), LastHttpContent.EMPTY_LAST_CONTENT, post("/two"), waitingPart);
        assertThat(waitingPart.refCnt()).isEqualTo(1);
        channel.close();
        assertThat(waitingPart.refCnt()).isZero();
    }

    private static HttpRequest get(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    private static HttpRequest post(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
    }

    private static DefaultHttpContent part() {
        return new DefaultHttpContent(Unpooled.copiedBuffer(new byte[] {1, 2, 3}));
    }
}
