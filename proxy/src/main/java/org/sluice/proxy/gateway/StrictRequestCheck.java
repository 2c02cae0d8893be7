package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;
import org.sluice.policy.Echo;

/**
 * What the head parser admits but Sluice refuses in a request head, because two parties could read it two ways
 * or because it would switch the connection to a protocol Sluice does not check: several Host headers (or none in
 * HTTP/1.1), a Host that is not host[:port], protocol upgrades (WebSocket and every other but an h2c offer, which
 * is ignored), and a
 * Connection header naming a header Sluice frames, routes or decides by (hop-by-hop stripping would remove it on
 * the way upstream, and a Content-Length gone while its body still went is a request smuggled in that body).
 * It runs on every request: the headers are asked by name, which allocates only for the fields that are there.
 */
final class StrictRequestCheck {
    private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");

    private StrictRequestCheck() {
    }

    /** Null when the head is acceptable; else why not, in one sentence. */
    static String problem(HttpRequest request) {
        // The parser admits HTTP/1.0 and 1.1 only, and has refused every framing but one Content-Length or chunked.
        boolean http11 = HttpVersion.HTTP_1_1.equals(request.protocolVersion());
        // Asked by name rather than by iterating the fields: a parsed head answers without an object per field.
        HttpHeaders headers = request.headers();
        List<String> hostLines = headers.getAll(HttpHeaderNames.HOST);
        int hosts = hostLines.size();
        CharSequence host = hosts == 0 ? null : hostLines.get(0);
        CharSequence upgrade = null;
        if (headers.contains(HttpHeaderNames.UPGRADE)) {
            for (String offer : headers.getAll(HttpHeaderNames.UPGRADE)) {
                if (upgrade == null || AsciiString.contentEquals(upgrade, "h2c")) {
                    upgrade = offer; // the first offer other than h2c, if any, is the one refused
                }
            }
        }
        boolean http2Settings = headers.contains(HTTP2_SETTINGS);
        AsciiString namedByConnection = null;
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String tokens : headers.getAll(HttpHeaderNames.CONNECTION)) {
                namedByConnection = HopByHopHeaders.firstListed(tokens, HopByHopHeaders.DECIDING_REQUEST_HEADERS);
                if (namedByConnection != null) {
                    break;
                }
            }
        }
        if (namedByConnection != null) {
            return "the Connection header names " + namedByConnection + ", which Sluice frames, routes or decides "
                    + "the request by, so it cannot be dropped as hop-by-hop; remove '" + namedByConnection
                    + "' from Connection";
        }
        if (hosts > 1) {
            return "the request carries " + hosts + " Host headers; send exactly one";
        }
        if (hosts == 0 && http11) {
            return "an HTTP/1.1 request must carry a Host header";
        }
        if (host != null && !isAuthority(host)) {
            return "the Host header '" + shorten(host) + "' is not a host[:port]";
        }
        if (upgrade != null && !AsciiString.contentEquals(upgrade, "h2c")) {
            return "Sluice does not switch protocols (Upgrade: " + shorten(upgrade) + "): WebSocket and the like "
                    + "would carry data it cannot check; send plain HTTP/1.1 requests";
        }
        if (upgrade == null && http2Settings) {
            return "HTTP2-Settings without Upgrade: h2c; send plain HTTP/1.1 requests";
        }
        // Upgrade: h2c alone is the one offer a server may ignore (RFC 9113 3.1; the JDK's HTTP client makes it on
        // every cleartext request): it is stripped with the other hop-by-hop headers and answered in HTTP/1.1.
        return null;
    }

    /** Letters, digits and the characters a host, an IPv6 literal and a port are written with; empty is allowed. */
    private static boolean isAuthority(CharSequence host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']' || c == '%' || c == '~';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String shorten(CharSequence text) {
        return Echo.shorten(text.toString(), 40);
    }
}
