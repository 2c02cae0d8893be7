package org.sluice.proxy.hostile;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The structure-aware companion of {@link RequestPathFuzzTest}, through the same harness and oracle: the fuzzer's
 * bytes choose request lines, header names, values made of real tokens (header names, Connection tokens, framing
 * values) in lists and in any case, a framing and a body, so that it explores how headers interact (which header a
 * Connection token names, which framing wins, what a body hides) instead of spelling each header byte by byte.
 * The byte-level target had not found a Connection header naming Content-Length in over a million inputs.
 */
class HeaderCombinationFuzzTest {
    private static final String[] REQUEST_LINES = {"GET /api/x HTTP/1.1", "POST /api/up HTTP/1.1",
        "POST /api/up HTTP/1.0", "GET /admin/export HTTP/1.1", "HEAD /api/x HTTP/1.1", "OPTIONS /api/x HTTP/1.1",
        "CONNECT s:443 HTTP/1.1", "GET http://s/api/x HTTP/1.1"};
    private static final String[] NAMES = {"Host", "Connection", "Content-Length", "Transfer-Encoding", "Expect",
        "Upgrade", "HTTP2-Settings", "Keep-Alive", "TE", "Trailer", "Proxy-Connection", "Via", "Content-Type",
        "Authorization", "X-Sluice-Request-Id", "X-Hop"};
    /** Values are lists of these: every header name is also a Connection token. */
    private static final String[] TOKENS = {"close", "keep-alive", "chunked", "gzip", "identity", "100-continue",
        "h2c", "trailers", "s", "s:80", "0", "5", "34", "host", "content-length", "transfer-encoding", "expect",
        "upgrade", "http2-settings", "te", "trailer", "via", "content-type", "authorization", "x-sluice-request-id",
        "x-hop", "proxy-connection"};
    private static final String[] SEPARATORS = {", ", ",", " , ", ",\t", ", ,"};
    /** The last one is a request: a body that reaches the upstream unframed is read as one. */
    private static final String[] BODIES = {"", "hello", ConnectionHeaderSmugglingE2ETest.HIDDEN};
    private static final int MAX_HEADERS = 6;
    private static final int MAX_TOKENS = 3;
    private static final int MAX_REQUESTS = 2;

    @FuzzTest(maxDuration = "60s")
    void headersBuiltFromRealPiecesAreAnsweredAndTheUpstreamGetsOnlyAllowedRequests(FuzzedDataProvider data) {
        StringBuilder wire = new StringBuilder();
        int requests = data.consumeInt(1, MAX_REQUESTS);
        for (int i = 0; i < requests; i++) {
            request(data, wire);
        }
        RequestPathFuzzTest.check(wire.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void request(FuzzedDataProvider data, StringBuilder wire) {
        wire.append(data.pickValue(REQUEST_LINES)).append("\r\n");
        if (data.consumeBoolean()) {
            wire.append("Host: s\r\n");
        }
        int headers = data.consumeInt(0, MAX_HEADERS);
        for (int h = 0; h < headers; h++) {
            wire.append(cased(data, data.pickValue(NAMES))).append(": ");
            int tokens = data.consumeInt(1, MAX_TOKENS);
            for (int t = 0; t < tokens; t++) {
                if (t > 0) {
                    wire.append(data.pickValue(SEPARATORS));
                }
                wire.append(cased(data, data.pickValue(TOKENS)));
            }
            wire.append("\r\n");
        }
        String body = data.pickValue(BODIES);
        switch (data.consumeInt(0, 2)) {
            case 0 -> wire.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
            case 1 -> {
                wire.append("Transfer-Encoding: chunked\r\n\r\n");
                if (!body.isEmpty()) {
                    wire.append(Integer.toHexString(body.length())).append("\r\n").append(body).append("\r\n");
                }
                wire.append("0\r\n\r\n");
            }
            default -> wire.append("\r\n");
        }
    }

    /** As sent, in lower case or in upper case: names and tokens compare without regard to case. */
    private static String cased(FuzzedDataProvider data, String text) {
        return switch (data.consumeInt(0, 2)) {
            case 1 -> text.toLowerCase(Locale.ROOT);
            case 2 -> text.toUpperCase(Locale.ROOT);
            default -> text;
        };
    }
}
