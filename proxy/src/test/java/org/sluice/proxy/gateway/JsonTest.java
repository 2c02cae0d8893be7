package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void quotesWhatWouldBreakAJsonString() {
        assertThat(quoted("a\"b\\c\nd\re\tf\u0001g\u007fh")).isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u007fh\"");
        assertThat(quoted("é/ü €")).isEqualTo("\"é/ü €\"");
        assertThat(quoted("pair \uD83D\uDE00 end")).isEqualTo("\"pair \uD83D\uDE00 end\"");
        assertThat(quoted("")).isEqualTo("\"\"");
    }

    @Test
    void writesALoneSurrogateAsAQuestionMarkAsStringGetBytesDoes() {
        for (String s : new String[] {"x\uD83Dy", "x\uDE00y", "end\uD83D", "\uD83D\"", "\uD83D\u00e9", "\uDE00\uD83D"}) {
            assertThat(quoted(s)).as(s).isEqualTo("\"" + new String(s.getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.UTF_8).replace("\"", "\\\"") + "\"");
        }
    }

    /** Whatever the reason, the body stays one JSON string that reads back as the reason (lone surrogates as '?'). */
    @Property(tries = 500)
    void anyStringReadsBackAsItself(@ForAll String s) throws Exception {
        String expected = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(JSON.readValue(quotedBytes(s), String.class)).isEqualTo(expected);
    }

    private static String quoted(String s) {
        return new String(quotedBytes(s), StandardCharsets.UTF_8);
    }

    private static byte[] quotedBytes(String s) {
        ByteBuf out = Unpooled.buffer();
        try {
            Json.writeQuoted(out, s);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
        }
    }
}
