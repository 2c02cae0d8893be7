package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A parsed head's headers: read as Netty's headers are, edited without touching the head's bytes, and written
 * upstream as the fields sent (byte for byte, minus the removed) followed by the added ones; the head size a
 * budget charges is what the encoder writes.
 */
class IndexedHeadersTest {
    private static final String HEAD = "POST /api/results HTTP/1.1\r\nHost: sluice:8080\r\nConnection: keep-alive, "
            + "X-Drop\r\nX-Drop: 1\r\nAccept: */*\r\nX-List: a ,b\r\nX-List: c\r\nContent-Length: 0\r\n\r\n";

    @Test
    void readsAsNettysHeadersDo() {
        IndexedHeaders headers = headers(HEAD);

        assertThat(headers.get("host")).isEqualTo("sluice:8080");
        assertThat(headers.get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("0");
        assertThat(headers.getInt(HttpHeaderNames.CONTENT_LENGTH)).isZero();
        assertThat(headers.getAll("x-list")).containsExactly("a ,b", "c");
        assertThat(headers.contains("X-DROP")).isTrue();
        assertThat(headers.contains("X-Missing")).isFalse();
        assertThat(headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true)).isTrue();
        assertThat(headers.containsValue("x-list", "b", false)).as("an item of a list, trimmed").isTrue();
        assertThat(headers.containsValue("x-list", "c", false)).as("on the second line").isTrue();
        assertThat(headers.containsValue("x-list", "a ,b", false)).isFalse();
        assertThat(headers.containsValue("x-list", "B", false)).isFalse();
        assertThat(headers.containsValue("x-list", "B", true)).isTrue();
        assertThat(headers.size()).isEqualTo(7);
        assertThat(headers.names()).containsExactly("Host", "Connection", "X-Drop", "Accept", "X-List",
                "Content-Length");
    }

    @Test
    void editsAreKeptApartAndTheRestGoesUpstreamAsSent() {
        IndexedHeaders headers = headers(HEAD);
        headers.remove("connection").remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.set(HttpHeaderNames.HOST, "central:443");
        headers.add("Via", "1.1 sluice");
        headers.set("x-drop", "2");

        assertThat(fields(headers)).containsExactly("Accept: */*", "X-List: a ,b", "X-List: c", "host: central:443",
                "Via: 1.1 sluice", "x-drop: 2");
        assertThat(headers.get("host")).isEqualTo("central:443");
        assertThat(headers.getAll("X-Drop")).containsExactly("2");
        assertThat(headers.size()).isEqualTo(6);

        HttpRequest request = new DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpMethod.POST, "/api/results", headers);
        String encoded = encode(request);
        assertThat(encoded).isEqualTo("POST /api/results HTTP/1.1\r\nAccept: */*\r\nX-List: a ,b\r\nX-List: c\r\n"
                + "host: central:443\r\nVia: 1.1 sluice\r\nx-drop: 2\r\n\r\n");
        assertThat(RequestHeadBytes.of(request)).isEqualTo(encoded.length());
    }

    @Test
    void clearRemovesEverythingAndAddsStartAfresh() {
        IndexedHeaders headers = headers(HEAD);
        headers.clear();
        assertThat(headers.isEmpty()).isTrue();
        assertThat(headers.iteratorCharSequence().hasNext()).isFalse();
        headers.add("A", "1");
        assertThat(fields(headers)).containsExactly("A: 1");
    }

    private static List<String> fields(IndexedHeaders headers) {
        List<String> fields = new ArrayList<>();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            fields.add(e.getKey() + ": " + e.getValue());
        }
        return fields;
    }

    private static IndexedHeaders headers(String head) {
        ByteBuf in = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
        try {
            return new IndexedHeaders(new RequestHeadParser(1024, 4096).parse(in).head());
        } finally {
            in.release();
        }
    }

    private static String encode(HttpRequest request) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestEncoder());
        try {
            channel.writeOutbound(request);
            StringBuilder out = new StringBuilder();
            ByteBuf b;
            while ((b = channel.readOutbound()) != null) {
                out.append(b.toString(StandardCharsets.ISO_8859_1));
                b.release();
            }
            return out.toString();
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
