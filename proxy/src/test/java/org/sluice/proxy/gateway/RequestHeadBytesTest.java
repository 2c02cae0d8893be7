package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The head size a budget charges is what Netty's encoder (the upstream side's codec) actually writes. */
class RequestHeadBytesTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "GET | /api/tasks",
        "GET | /api/tasks?limit=10&offset=20",
        "POST | /api/results",
        "GET | ''",
        "GET | http://central.example.org",
        "GET | http://central.example.org?q=1",
        "GET | http://central.example.org/a?q=/b",
        "GET | /caf\u00e9/\u65e5\u672c",
        "OPTIONS | *",
        "DELETE | /" + "x",
    })
    void equalsTheBytesTheEncoderWrites(String method, String uri) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        request.headers().set("Host", "central.example.org").add("X-Data", "d".repeat(300))
                .add("X-Data", "second").set("Via", "1.1 sluice").set("X-Sluice-Request-Id", "0123456789abcdef");

        assertThat(RequestHeadBytes.of(request)).isEqualTo(encoded(request));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"HTTP/1.0", "HTTP/1.1"})
    void countsAHeadWithoutHeaders(String version) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.valueOf(version), HttpMethod.GET, "/");

        assertThat(RequestHeadBytes.of(request)).isEqualTo(encoded(request)).isEqualTo(version.length() + 10);
    }

    private static long encoded(HttpRequest request) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestEncoder());
        try {
            channel.writeOutbound(new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                    request.headers().copy()));
            long bytes = 0;
            ByteBuf out;
            while ((out = channel.readOutbound()) != null) {
                bytes += out.readableBytes();
                out.release();
            }
            return bytes;
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
