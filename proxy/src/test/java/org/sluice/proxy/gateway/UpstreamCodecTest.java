package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The upstream connection's codec: requests written from their parsed heads with the edits spliced in, and
 * responses framed by Sluice's reader (every way a body can end, heads and bodies in pieces, refusals), with their
 * fields relayed as the bytes they came in.
 */
class UpstreamCodecTest {
    private static final int MAX_LINE = 64;
    private static final int MAX_FIELDS = 256;

    @Test
    void theRequestGoesOutAsSentWithTheEditsSplicedIn() {
        EmbeddedChannel channel = codec();
        IndexedHeaders headers = requestHeaders("GET /api/tasks HTTP/1.1\r\nHost: sluice\r\nUser-Agent: x\r\n"
                + "Connection: X-Gone\r\nX-Gone: 1\r\nAccept:*/*\r\nX-Odd:  two spaces  \r\nX-Last: z\r\n\r\n");
        HopByHopHeaders.remove(headers, false);
        headers.set(HttpHeaderNames.HOST, "central:8443");
        headers.add("X-Sluice-Request-Id", "abc");
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/tasks", headers);

        channel.writeOutbound(request, LastHttpContent.EMPTY_LAST_CONTENT);

        String sent = outbound(channel);
        assertThat(sent).isEqualTo("GET /api/tasks HTTP/1.1\r\nUser-Agent: x\r\nAccept: */*\r\nX-Odd: two spaces\r\n"
                + "X-Last: z\r\nhost: central:8443\r\nX-Sluice-Request-Id: abc\r\n\r\n");
        assertThat(RequestHeadBytes.of(request)).isEqualTo(sent.length());
        channel.finishAndReleaseAll();
    }

    @Test
    void aResponseInOneByteReadsIsFramedByItsLength() {
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.GET);
        String response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 "
                + "No Content\r\n\r\n";
        for (byte b : response.getBytes(StandardCharsets.US_ASCII)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        sendRequest(channel, HttpMethod.GET);
        List<HttpObject> parts = inbound(channel);

        HttpResponse head = (HttpResponse) parts.get(0);
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.status().reasonPhrase()).isEqualTo("OK");
        assertThat(head.headers().get("content-type")).isEqualTo("text/plain");
        assertThat(HttpUtil.getContentLength(head)).isEqualTo(5);
        assertThat(body(parts, 1)).isEqualTo("hello");
        assertThat(lastIndex(parts, 1)).as("the body ends where its length says").isEqualTo(5);
        HttpResponse next = (HttpResponse) parts.get(6);
        assertThat(next.status().code()).isEqualTo(204);
        assertThat(next).as("no body: one message").isInstanceOf(LastHttpContent.class);
        assertThat(parts).hasSize(7);
        release(parts);
        channel.finishAndReleaseAll();
    }

    @Test
    void aResponseWhoseBodyCameWithItsHeadIsOneMessage() {
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n"
                + "Content-Length: 6\r\n\r\nhello"));
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii("!"));
        List<HttpObject> parts = inbound(channel);

        assertThat(parts.get(0)).isInstanceOf(LastHttpContent.class);
        assertThat(((LastHttpContent) parts.get(0)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(parts.get(1)).as("the second body is not all here").isNotInstanceOf(LastHttpContent.class);
        assertThat(body(parts, 2)).isEqualTo("hello!");
        release(parts);
        channel.finishAndReleaseAll();
    }

    @Test
    void chunkedBodiesAreDechunkedAndTheirTrailersDropped() {
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;ext=1\r\nhello\r\n"
                + "006\r\n world\r\n0\r\nX-Checksum: 1\r\nX-More: 2\r\n\r\n"));
        List<HttpObject> parts = inbound(channel);

        assertThat(HttpUtil.isTransferEncodingChunked((HttpResponse) parts.get(0))).isTrue();
        assertThat(body(parts, 1)).isEqualTo("hello world");
        LastHttpContent last = (LastHttpContent) parts.get(parts.size() - 1);
        assertThat(last.decoderResult().isSuccess()).isTrue();
        assertThat(last.trailingHeaders().isEmpty()).isTrue();
        release(parts);
        channel.finishAndReleaseAll();
    }

    @Test
    void aBodyWithoutALengthEndsWithTheConnection() {
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil "));
        channel.writeInbound(ascii("the end"));
        channel.finish();
        List<HttpObject> parts = inbound(channel);

        assertThat(body(parts, 1)).isEqualTo("until the end");
        assertThat(parts.get(parts.size() - 1)).isInstanceOf(LastHttpContent.class);
        release(parts);
    }

    @Test
    void aBodyCutShortByTheConnectionIsNeverCompleted() {
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"));
        channel.finish();
        List<HttpObject> parts = inbound(channel);

        assertThat(parts).noneMatch(p -> p instanceof LastHttpContent);
        release(parts);
    }

    @Test
    void headAndInterimAnswersHaveNoBody() {
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.HEAD);
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"));
        List<HttpObject> parts = inbound(channel);

        assertThat(parts).hasSize(3).allMatch(p -> p instanceof HttpResponse && p instanceof LastHttpContent);
        assertThat(((HttpResponse) parts.get(0)).status().code()).isEqualTo(200);
        assertThat(((HttpResponse) parts.get(1)).status().code()).isEqualTo(103);
        assertThat(((HttpResponse) parts.get(2)).status().code()).isEqualTo(304);
        assertThat(parts).allMatch(p -> ((LastHttpContent) p).content().readableBytes() == 0);
        release(parts);
        channel.finishAndReleaseAll();
    }

    @Test
    void aReasonOtherThanTheStandardOneIsKept() {
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404\r\nContent-Length: 0\r\n\r\n"));
        sendRequest(channel, HttpMethod.GET);
        List<HttpObject> parts = inbound(channel);

        assertThat(((HttpResponse) parts.get(0)).status().reasonPhrase()).isEqualTo("Fine");
        assertThat(((HttpResponse) parts.get(1)).status().code()).isEqualTo(404);
        assertThat(((HttpResponse) parts.get(1)).status().reasonPhrase()).isEmpty();
        release(parts);
        channel.finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX(A): 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        "HTTP/1.1 999 Odd\r\n\r\n",
        "HTTP/1.1 099 Odd\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.2 200 OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200 O\u0001K\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello!\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000000\r\nhello\r\n0\r\n\r\n",
    })
    void aMalformedResponseBecomesAFailedPartAndNothingAfterItIsRead(String response) {
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii(response + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        List<HttpObject> parts = inbound(channel);

        assertThat(parts).isNotEmpty();
        HttpObject last = parts.get(parts.size() - 1);
        assertThat(last.decoderResult().isFailure()).as("the last part fails: %s", parts).isTrue();
        assertThat(parts.stream().filter(p -> p.decoderResult().isFailure())).hasSize(1);
        assertThat(parts.stream().filter(p -> p instanceof HttpResponse)).as("no second response").hasSizeLessThan(2);
        assertThat(last.decoderResult().cause().getMessage()).doesNotContain("hello");
        release(parts);
        channel.finishAndReleaseAll();
    }

    @Test
    void headsAndLinesAfterTheLastChunkAreHeldToTheLimits() {
        String longReason = "x".repeat(MAX_LINE);
        String manyFields = "X-Field: " + "v".repeat(MAX_FIELDS) + "\r\n";
        String longTrailers = ("X-T: " + "t".repeat(40) + "\r\n").repeat(8);
        for (String response : List.of("HTTP/1.1 200 " + longReason + "\r\n\r\n",
                "HTTP/1.1 200 " + longReason, "HTTP/1.1 200 OK\r\n" + manyFields + "\r\n",
                "HTTP/1.1 200 OK\r\n" + manyFields,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + longTrailers + "\r\n")) {
            EmbeddedChannel channel = codec();
            sendRequest(channel, HttpMethod.GET);
            channel.writeInbound(ascii(response));
            List<HttpObject> parts = inbound(channel);
            assertThat(parts).as(response).isNotEmpty();
            assertThat(parts.get(parts.size() - 1).decoderResult().isFailure()).as(response).isTrue();
            release(parts);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aHeadJustWithinTheLimitsIsRead() {
        String reason = "x".repeat(MAX_LINE - "HTTP/1.1 200 ".length());
        String field = "X-F: " + "v".repeat(MAX_FIELDS - "X-F: ".length()) + "\r\n";
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 " + reason + "\r\n" + field + "\r\n"));
        List<HttpObject> parts = inbound(channel);
        assertThat(((HttpResponse) parts.get(0)).status().reasonPhrase()).isEqualTo(reason);
        release(parts);
        channel.finishAndReleaseAll();
    }

    @Test
    void aRelayedResponseKeepsItsFieldsAsTheyCameBarTheHopByHopOnes() {
        EmbeddedChannel channel = codec();
        sendRequest(channel, HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nDate: Mon, 07 Dec 2026 22:00:00 GMT\r\nConnection: close, X-Hop"
                + "\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nX-Kept:keep\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                + "Content-Length: 0\r\n\r\n"));
        List<HttpObject> parts = inbound(channel);
        HttpHeaders headers = ((HttpResponse) parts.get(0)).headers();
        assertThat(HttpUtil.isKeepAlive((HttpResponse) parts.get(0))).isFalse();

        HopByHopHeaders.remove(headers, true);
        headers.set("X-Sluice-Request-Id", "r1");
        ByteBuf out = Unpooled.buffer();
        ((IndexedHeaders) headers).writeTo(out);

        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("Date: Mon, 07 Dec 2026 22:00:00 GMT\r\n"
                + "X-Kept: keep\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\nX-Sluice-Request-Id: r1\r\n");
        out.release();
        release(parts);
        channel.finishAndReleaseAll();
    }

    private static EmbeddedChannel codec() {
        return new EmbeddedChannel(new UpstreamCodec(MAX_LINE, MAX_FIELDS, 1024));
    }

    private static void sendRequest(EmbeddedChannel channel, HttpMethod method) {
        channel.writeOutbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/"),
                LastHttpContent.EMPTY_LAST_CONTENT);
        outbound(channel);
    }

    private static IndexedHeaders requestHeaders(String head) {
        ByteBuf in = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
        try {
            return new IndexedHeaders(new RequestHeadParser(1024, 4096).parse(in).head());
        } finally {
            in.release();
        }
    }

    private static String outbound(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    private static List<HttpObject> inbound(EmbeddedChannel channel) {
        List<HttpObject> parts = new ArrayList<>();
        HttpObject part;
        while ((part = channel.readInbound()) != null) {
            parts.add(part);
        }
        return parts;
    }

    /** The body of the message whose first content part is at {@code from}, through its last part. */
    private static String body(List<HttpObject> parts, int from) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < parts.size() && parts.get(i) instanceof HttpContent content; i++) {
            text.append(content.content().toString(StandardCharsets.ISO_8859_1));
            if (content instanceof LastHttpContent) {
                break;
            }
        }
        return text.toString();
    }

    private static int lastIndex(List<HttpObject> parts, int from) {
        for (int i = from; i < parts.size(); i++) {
            if (parts.get(i) instanceof LastHttpContent) {
                return i;
            }
        }
        return -1;
    }

    private static void release(List<HttpObject> parts) {
        parts.forEach(ReferenceCountUtil::release);
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }
}
