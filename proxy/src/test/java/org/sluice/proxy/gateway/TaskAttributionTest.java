package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
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

    /** Sends a head as Sluice's own parser reads it (headers over the head's bytes) with these header lines. */
    private TaskClaims sendParsed(String fields) {
        Exchange ex = new Exchange("r", null, "GET", "/api", false, true);
        conn.current = ex;
        ByteBuf bytes = Unpooled.copiedBuffer("GET /api HTTP/1.1\r\nHost: s\r\n" + fields + "\r\n",
                StandardCharsets.ISO_8859_1);
        RequestHead head;
        try {
            head = new RequestHeadParser(1024, 4096).parse(bytes).head();
        } finally {
            bytes.release();
        }
        HttpRequest request = new DefaultHttpRequest(head.version(), head.method(), head.target(),
                new IndexedHeaders(head));
        channel.writeInbound(request);
        assertThat((Object) channel.readInbound()).as("the head goes on, unchanged").isSameAs(request);
        return ex.task;
    }

    @Test
    void aParsedHeadsTokenIsComparedAsItsBytesAndReadAsTheHeaderWouldBe() {
        TaskClaims first = sendParsed("Authorization: " + token(42) + "\r\n");

        assertThat(first.id()).isEqualTo("42");
        assertThat(sendParsed("authorization:  " + token(42) + " \r\n")).as("same token, remembered").isSameAs(first);
        assertThat(send(token(42))).as("the same token in other headers").isSameAs(first);
        assertThat(sendParsed("Authorization: " + token(43) + "\r\nAuthorization: " + token(44) + "\r\n").id())
                .as("the first of two, as get() gives").isEqualTo("43");
        assertThat(sendParsed("X-Authorization: " + token(45) + "\r\n")).isNull();
        assertThat(sendParsed("Authorization: Bearer a.b\r\n")).isNull();
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
