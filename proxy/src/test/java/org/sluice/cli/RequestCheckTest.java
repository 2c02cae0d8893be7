package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sluice.policy.RequestHeader;
import org.sluice.policy.RequestUrl;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;

class RequestCheckTest {

    private static final List<RequestHeader> HEADERS = List.of(
            new RequestHeader("Host", "sluice:8080"),
            new RequestHeader("User-Agent", "vantage6-client/4.2 (Linux; Python 3.11)"),
            new RequestHeader("X-Request-Tag", "caf\u00e9"),
            new RequestHeader("Accept", ""));

    /** explain's header size must be what the gateway's decoder counts, or its 431 verdicts are off by some bytes. */
    @Test
    void headerBytesAreWhatTheGatewaysDecoderCountsAgainstMaxHeaderBytes() throws Exception {
        SluiceConfig config = ConfigLoader.parse(String.join("\n",
                "version: 1",
                "gateway: {listen: 127.0.0.1:8080, upstream: http://localhost:1}",
                "audit: {path: audit.jsonl}",
                ""), Path.of("p.yaml"));
        RequestCheck check = new RequestCheck(config);
        int counted = check.check("GET", RequestUrl.parse("/api", check.gateway()), HEADERS).headerBytes();

        assertThat(decodes(counted)).isTrue();
        assertThat(decodes(counted - 1)).isFalse();
    }

    private static boolean decodes(int maxHeaderBytes) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(new HttpDecoderConfig()
                .setMaxHeaderSize(maxHeaderBytes)));
        try {
            StringBuilder request = new StringBuilder("GET /api HTTP/1.1\r\n");
            HEADERS.forEach(h -> request.append(h.name()).append(": ").append(h.value()).append("\r\n"));
            request.append("\r\n");
            channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.UTF_8));
            HttpRequest decoded = channel.readInbound();
            boolean ok = decoded.decoderResult().isSuccess();
            assertThat(ok || decoded.decoderResult().cause() instanceof TooLongHttpHeaderException)
                    .as(String.valueOf(decoded.decoderResult())).isTrue();
            return ok;
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
