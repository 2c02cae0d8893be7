package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.task.TaskClaims;

class TaskAttributionTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ConnectionContext conn = new ConnectionContext(channel, null, "127.0.0.1");

    TaskAttributionTest() {
        channel.pipeline().addLast(new TaskAttribution(conn));
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private static String token(int task) {
        String payload = "{\"sub\":{\"client_type\":\"container\",\"task_id\":" + task + "}}";
        return "Bearer e30." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }

    /** Sends a request head with this Authorization (none when null) as the connection's next exchange. */
    private TaskClaims send(String authorization) {
        Exchange ex = new Exchange("r", null, "GET", "/api", false, true);
        conn.current = ex;
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api");
        if (authorization != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        channel.writeInbound(request);
        assertThat((Object) channel.readInbound()).as("the head goes on, unchanged").isSameAs(request);
        return ex.task;
    }

    @Test
    void theSameTokenAgainOnAConnectionIsNotParsedAgain() {
        TaskClaims first = send(token(42));
        TaskClaims again = send(new String(token(42).toCharArray())); // equal, not the same string

        assertThat(first.id()).isEqualTo("42");
        assertThat(again).as("the remembered claims, not a new parse").isSameAs(first);
        assertThat(send(token(43)).id()).isEqualTo("43");
        assertThat(send(token(42))).isEqualTo(first).isNotSameAs(first);
    }

    @Test
    void noTokenOrOneThatDoesNotParseGivesNoTask() {
        assertThat(send(token(42))).isNotNull();
        assertThat(send(null)).isNull();
        assertThat(send("Bearer a.b")).isNull();
        assertThat(send(token(42))).isNotNull();
        assertThat(send("Basic dXNlcjpwYXNz")).isNull();
    }

    @Test
    void bodyPartsPassUntouched() {
        HttpContent part = new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {1, 2}));
        channel.writeInbound(part);

        Object passed = channel.readInbound();
        assertThat(passed).isSameAs(part);
        ReferenceCountUtil.release(passed);
    }
}
