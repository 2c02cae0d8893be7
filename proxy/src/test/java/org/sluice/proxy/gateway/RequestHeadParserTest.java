package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sluice.proxy.testing.HttpBytes;

/**
 * The head parser: what it records (offsets that give back exactly the bytes sent), its limits crossed by one
 * byte (counted as Netty's decoder counted, which {@code policy explain} still uses), what it refuses with which
 * words, and that a head arriving in pieces gives the same result as one arriving whole.
 */
class RequestHeadParserTest {
    private static final int MAX_LINE = 64;
    private static final int MAX_FIELDS = 100;

    @Test
    void indexesEveryPartOfAHeadWithoutChangingABit() {
        String text = "\r\nPOST /api/results?x=1 HTTP/1.1\r\nHost: central\r\nX-Empty:\r\n"
                + "Content-Length:  12 \r\nX-Tab:\tv\u00e9 w\t\r\n\r\nbody follows";
        RequestHeadParser.Result r = parse(text);

        assertThat(r.failure()).isNull();
        assertThat(r.length()).isEqualTo(text.indexOf("body follows"));
        RequestHead head = r.head();
        assertThat(head.method()).isSameAs(HttpMethod.POST);
        assertThat(head.version()).isSameAs(HttpVersion.HTTP_1_1);
        assertThat(head.target()).isEqualTo("/api/results?x=1");
        assertThat(head.contentLength()).isEqualTo(12);
        assertThat(head.chunked()).isFalse();
        assertThat(head.fieldCount()).isEqualTo(4);
        assertThat(head.name(0).toString()).isEqualTo("Host");
        assertThat(head.value(0).toString()).isEqualTo("central");
        assertThat(head.value(1).toString()).isEqualTo("");
        assertThat(head.value(2).toString()).isEqualTo("12");
        assertThat(head.value(3).toString()).isEqualTo("v\u00e9 w"); // obs-text kept, as a byte per char
        assertThat(head.indexOf("content-LENGTH")).isEqualTo(2);
        assertThat(head.indexOf("Content-Type")).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GET    | GET",
        "POST   | POST",
        "PUT    | PUT",
        "PATCH  | PATCH",
        "HEAD   | HEAD",
        "DELETE | DELETE",
        "OPTIONS | OPTIONS",
        "CONNECT | CONNECT",
        "TRACE  | TRACE",
        "get    | get",
        "PUSH   | PUSH",
        "POSTS  | POSTS",
        "GETS   | GETS",
    })
    void methodsAreTheStandardConstantsOrTheirOwnName(String sent, String name) {
        RequestHead head = parse(sent + " / HTTP/1.1\r\nHost: s\r\n\r\n").head();

        assertThat(head.method().name()).isEqualTo(name);
        if (HttpMethod.valueOf(name) == head.method()) {
            assertThat(head.method()).isSameAs(HttpMethod.valueOf(name));
        }
    }

    @Test
    void theRequestLineMayBeExactlyMaxLineBytesButNotOneMore() {
        String fits = requestLine(MAX_LINE); // without its CRLF
        assertThat(parse(fits + "Host: s\r\n\r\n").failure()).isNull();
        assertThat(parse(requestLine(MAX_LINE + 1) + "Host: s\r\n\r\n").failure())
                .isInstanceOf(TooLongHttpLineException.class);
        assertThat(parse(requestLine(MAX_LINE + 1).replace("\r\n", "") + "a").failure())
                .as("refused before the head is complete").isInstanceOf(TooLongHttpLineException.class);
        assertThat(parse("\r\n\n" + fits + "Host: s\r\n\r\n").failure()).as("empty lines before it do not count")
                .isNull();
    }

    @Test
    void theFieldsMayBeExactlyMaxFieldsBytesButNotOneMore() {
        String line = requestLine(20);
        // Field lines without their CRLF, as Netty's decoder counts.
        String fits = "Host: s\r\nX: " + "v".repeat(MAX_FIELDS - 7 - 3) + "\r\n\r\n";
        assertThat(parse(line + fits).failure()).isNull();
        String over = "Host: s\r\nX: " + "v".repeat(MAX_FIELDS + 1 - 7 - 3) + "\r\n\r\n";
        assertThat(parse(line + over).failure()).isInstanceOf(TooLongHttpHeaderException.class);
        assertThat(parse(line + "X: " + "v".repeat(MAX_FIELDS)).failure()).as("refused before the head is complete")
                .isInstanceOf(TooLongHttpHeaderException.class);
    }

    /** policy explain predicts the gateway's limits with Netty's decoder: both must draw the line alike. */
    @Property(tries = 300)
    void limitsAgreeWithNettysDecoder(@ForAll @IntRange(min = 1, max = 70) int targetLength,
                                      @ForAll @IntRange(min = 0, max = 4) int fields,
                                      @ForAll @IntRange(min = 0, max = 40) int valueLength,
                                      @ForAll @IntRange(min = 0, max = 2) int emptyLinesBefore) {
        StringBuilder head = new StringBuilder("\r\n".repeat(emptyLinesBefore))
                .append("GET /").append("a".repeat(targetLength - 1)).append(" HTTP/1.1\r\nHost: s\r\n");
        for (int i = 0; i < fields; i++) {
            head.append("X-F").append(i).append(": ").append("v".repeat(valueLength)).append("\r\n");
        }
        String text = head.append("\r\n").toString();

        RequestHeadParser.Result ours = parse(text);
        Class<?> netty = nettyFailure(text);

        assertThat(ours.failure() == null ? null : ours.failure().getClass()).as(text).isEqualTo(netty);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "bare LF after the request line | GET / HTTP/1.1\\nHost: s\\r\\n\\r\\n | the request line ends in a bare LF",
        "bare LF after a field        | GET / HTTP/1.1\\r\\nHost: s\\n\\r\\n | a header line ends in a bare LF",
        "bare CR in a value           | GET / HTTP/1.1\\r\\nHost: s\\rX: y\\r\\n\\r\\n | a bare CR",
        "folded line                  | GET / HTTP/1.1\\r\\nHost: s\\r\\n x\\r\\n\\r\\n | obsolete line folding",
        "space before the colon       | GET / HTTP/1.1\\r\\nHost : s\\r\\n\\r\\n | whitespace before its colon",
        "no colon                     | GET / HTTP/1.1\\r\\nHost\\r\\n\\r\\n | has no colon",
        "empty name                   | GET / HTTP/1.1\\r\\n: s\\r\\n\\r\\n | an empty name",
        "NUL in a name                | GET / HTTP/1.1\\r\\nHo\\x00st: s\\r\\n\\r\\n | not allowed in a token (0x0)",
        "DEL in a value               | GET / HTTP/1.1\\r\\nHost: s\\x7f\\r\\n\\r\\n | control character (0x7f)",
        "two spaces                   | GET  / HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n | extra spaces",
        "a tab                        | GET\\t/ HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n | a tab",
        "four parts                   | GET / x HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n | it has 4 parts",
        "method not a token           | G(T / HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n | method is not a token",
        "control in the target        | GET /a\\x01b HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n | not visible ASCII",
        "non-ASCII in the target      | GET /caf\\xe9 HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n | not visible ASCII",
        "HTTP/2.0                     | GET / HTTP/2.0\\r\\nHost: s\\r\\n\\r\\n | HTTP version HTTP/2.0 is not supported",
        "lower-case version           | GET / http/1.1\\r\\nHost: s\\r\\n\\r\\n | in upper case",
        "two lengths                  | POST / HTTP/1.1\\r\\nContent-Length: 1\\r\\nContent-Length: 1\\r\\n\\r\\n | 2 Content-Length headers",
        "a list of lengths            | POST / HTTP/1.1\\r\\nContent-Length: 1, 1\\r\\n\\r\\n | '1, 1' is not a number",
        "a signed length              | POST / HTTP/1.1\\r\\nContent-Length: +1\\r\\n\\r\\n | '+1' is not a number",
        "19 digits                    | POST / HTTP/1.1\\r\\nContent-Length: 1000000000000000000\\r\\n\\r\\n | is not a number",
        "gzip coding                  | POST / HTTP/1.1\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n | exactly one 'chunked' (got 'gzip, chunked')",
        "Chunked                      | POST / HTTP/1.1\\r\\nTransfer-Encoding: Chunked\\r\\n\\r\\n | exactly one 'chunked'",
        "two codings                  | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | and another",
        "both framings                | POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 0\\r\\n\\r\\n | both Content-Length and Transfer-Encoding",
    })
    void refusesWhatALenientParserWouldRepairSayingWhat(String name, String escaped, String words) {
        RequestHeadParser.Result r = parse(HttpBytes.unescaped(escaped));

        assertThat(r.failure()).as(name).isInstanceOf(IllegalArgumentException.class);
        assertThat(r.failure().getMessage()).as(name).contains(words);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "length with leading zeros | POST / HTTP/1.1\\r\\nContent-Length: 007\\r\\n\\r\\n | 7 | false",
        "length with tabs around   | POST / HTTP/1.1\\r\\nContent-Length:\\t7\\t\\r\\n\\r\\n | 7 | false",
        "18 digits                 | POST / HTTP/1.1\\r\\nContent-Length: 999999999999999999\\r\\n\\r\\n | 999999999999999999 | false",
        "chunked in any name case  | POST / HTTP/1.1\\r\\ntransfer-ENCODING:  chunked \\r\\n\\r\\n | -1 | true",
        "no body                   | GET / HTTP/1.0\\r\\n\\r\\n | -1 | false",
    })
    void framesByOneLengthOrChunked(String name, String escaped, long length, boolean chunked) {
        RequestHead head = parse(HttpBytes.unescaped(escaped)).head();

        assertThat(head).as(name).isNotNull();
        assertThat(head.contentLength()).isEqualTo(length);
        assertThat(head.chunked()).isEqualTo(chunked);
    }

    @Test
    void aHeadInPiecesWaitsUntilItsEmptyLineAndThenGivesWhatItGivesWhole() {
        String text = "GET /api/x HTTP/1.1\r\nHost: central\r\nAuthorization: Bearer t\r\n\r\n";
        RequestHeadParser parser = new RequestHeadParser(MAX_LINE, MAX_FIELDS);
        ByteBuf in = Unpooled.buffer();
        try {
            for (int i = 0; i < text.length() - 1; i++) {
                in.writeByte(text.charAt(i));
                assertThat(parser.parse(in).waiting()).as("after %d bytes", i + 1).isTrue();
            }
            in.writeByte(text.charAt(text.length() - 1));
            RequestHeadParser.Result r = parser.parse(in);
            assertThat(r.length()).isEqualTo(text.length());
            assertThat(r.head().value(1).toString()).isEqualTo("Bearer t");
            assertThat(in.readerIndex()).as("the parser does not consume").isZero();
        } finally {
            in.release();
        }
    }

    /**
     * The parser reads a copy of the head: of exactly the head once its empty line is there, else of all that
     * arrived. Either way the outcome is the same: a head in pieces is waited on or refused as it would be whole,
     * and what is pipelined behind a head changes nothing about it.
     */
    @Test
    void whatArrivesInPiecesOrWithMoreBehindItGivesWhatTheHeadGivesAlone() {
        String next = "GET /next HTTP/1.1\r\nHost: s\r\n\r\n";
        for (String escaped : new String[] {
            "GET /api/x?y=1 HTTP/1.1\\r\\nHost: central\\r\\nX-A:  b \\r\\n\\r\\n",
            "\\r\\n\\r\\nGET / HTTP/1.0\\r\\n\\r\\n",
            "GET / HTTP/1.1\\nHost: s\\r\\n\\r\\n",
            "GET / HTTP/1.1\\r\\nHost: s\\n\\r\\n",
            "GET / HTTP/1.1\\r\\nHost: s\\rX: y\\r\\n\\r\\n",
            "GET  / HTTP/1.1\\r\\nHost: s\\r\\n\\r\\n",
            "GET / HTTP/1.1\\r\\nHost : s\\r\\n\\r\\n",
            "POST / HTTP/1.1\\r\\nContent-Length: 1\\r\\nContent-Length: 1\\r\\n\\r\\n",
            "POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 0\\r\\n\\r\\n",
            "GET /" + "a".repeat(MAX_LINE) + " HTTP/1.1\\r\\n\\r\\n",
            "GET / HTTP/1.1\\r\\nX: " + "v".repeat(MAX_FIELDS) + "\\r\\n\\r\\n",
        }) {
            String text = new String(HttpBytes.unescaped(escaped), StandardCharsets.ISO_8859_1);
            String whole = outcome(parse(text));
            assertThat(outcome(parse(text + next))).as(escaped).isEqualTo(whole);

            RequestHeadParser parser = new RequestHeadParser(MAX_LINE, MAX_FIELDS);
            ByteBuf in = Unpooled.buffer();
            try {
                for (int i = 0; i < text.length(); i++) {
                    in.writeByte(text.charAt(i));
                    String got = outcome(parser.parse(in));
                    if (i < text.length() - 1 && !got.equals(whole)) {
                        assertThat(got).as("%s after %d bytes", escaped, i + 1).isEqualTo("waiting");
                    }
                    if (!got.equals("waiting")) {
                        assertThat(got).as("%s after %d bytes", escaped, i + 1).isEqualTo(whole);
                        break;
                    }
                }
            } finally {
                in.release();
            }
        }
    }

    /** What a parse gave, in words that differ whenever two outcomes do. */
    private static String outcome(RequestHeadParser.Result r) {
        if (r.waiting()) {
            return "waiting";
        }
        if (r.failure() != null) {
            return r.failure().getClass().getSimpleName() + ": " + r.failure().getMessage();
        }
        RequestHead head = r.head();
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < head.fieldCount(); i++) {
            fields.append(head.name(i)).append('=').append(head.value(i)).append(';');
        }
        return r.length() + " " + head.method() + " " + head.target() + " " + head.version() + " " + fields
                + " " + head.contentLength() + " " + head.chunked();
    }

    @Test
    void aTooLongLineArrivingInPiecesIsRefusedOnceItCrossesTheLimit() {
        RequestHeadParser parser = new RequestHeadParser(MAX_LINE, MAX_FIELDS);
        ByteBuf in = Unpooled.buffer();
        try {
            in.writeCharSequence("GET /", StandardCharsets.US_ASCII);
            assertThat(parser.parse(in).waiting()).isTrue();
            while (in.readableBytes() <= MAX_LINE + 1) {
                in.writeByte('a');
                RequestHeadParser.Result r = parser.parse(in);
                if (in.readableBytes() <= MAX_LINE + 1) { // the last byte could still be the line's CR
                    assertThat(r.waiting()).isTrue();
                } else {
                    assertThat(r.failure()).isInstanceOf(TooLongHttpLineException.class);
                }
            }
        } finally {
            in.release();
        }
    }

    private static String requestLine(int length) {
        String prefix = "GET /";
        String suffix = " HTTP/1.1";
        return prefix + "a".repeat(length - prefix.length() - suffix.length()) + suffix + "\r\n";
    }

    private static RequestHeadParser.Result parse(String text) {
        return parse(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static RequestHeadParser.Result parse(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            return new RequestHeadParser(MAX_LINE, MAX_FIELDS).parse(in);
        } finally {
            in.release();
        }
    }

    private static Class<?> nettyFailure(String text) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_LINE).setMaxHeaderSize(MAX_FIELDS).setStrictLineParsing(true)));
        try {
            channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
            Object first = channel.readInbound();
            Class<?> failure = first instanceof HttpRequest request && request.decoderResult().isFailure()
                    ? request.decoderResult().cause().getClass() : null;
            ReferenceCountUtil.release(first);
            return failure;
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
