package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorResponderTest {

    @Test
    void theBodyIsTheErrorContractsJsonAndItsLengthIsDeclared() {
        FullHttpResponse response = response(Refusal.DENIED, "no rule allows GET \"/admin\"\tnow: é", false);
        try {
            String body = response.content().toString(StandardCharsets.UTF_8);
            assertThat(body).isEqualTo("{\"error\":\"denied\",\"reason\":\"no rule allows GET \\\"/admin\\\"\\tnow: é\","
                    + "\"requestId\":\"0123456789abcdef01234567\"}");
            assertThat(response.status().code()).isEqualTo(403);
            assertThat(response.headers().getInt("Content-Length")).isEqualTo(response.content().readableBytes())
                    .isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
            assertThat(response.headers().get("Content-Type")).isEqualTo("application/json");
            assertThat(response.headers().get("X-Sluice-Error")).isEqualTo("denied");
            assertThat(response.headers().get("X-Sluice-Request-Id")).isEqualTo("0123456789abcdef01234567");
            assertThat(response.headers().contains("Connection")).isFalse();
            assertThat(response.trailingHeaders().isEmpty()).isTrue();
        } finally {
            response.release();
        }
    }

    @Test
    void aClosingAnswerSaysSo() {
        FullHttpResponse response = response(Refusal.BAD_REQUEST, "bad", true);
        try {
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo(
                    "{\"error\":\"bad_request\",\"reason\":\"bad\",\"requestId\":\"0123456789abcdef01234567\"}");
            assertThat(response.headers().get("Connection")).isEqualTo("close");
        } finally {
            response.release();
        }
    }

    private static FullHttpResponse response(Refusal refusal, String reason, boolean close) {
        ChannelHandlerAdapter handler = new ChannelHandlerAdapter() { };
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        try {
            ChannelHandlerContext ctx = channel.pipeline().context(handler);
            return ErrorResponder.response(ctx, "0123456789abcdef01234567", refusal, reason, close);
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
