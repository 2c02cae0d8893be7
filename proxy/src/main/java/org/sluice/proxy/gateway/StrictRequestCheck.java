package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * What the decoder accepts but Sluice refuses in a parsed request head, because two parties could read it two ways
 * or because it would switch the connection to a protocol Sluice does not check: versions other than HTTP/1.0 and
 * 1.1, several Host headers (or none in HTTP/1.1), a Host that is not host[:port], any Transfer-Encoding but
 * exactly {@code chunked}, and protocol upgrades (WebSocket and every other but an h2c offer, which is ignored).
 */
final class StrictRequestCheck {
    private StrictRequestCheck() {
    }

    /** Null when the head is acceptable; else why not, in one sentence. */
    static String problem(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        boolean http11 = version.majorVersion() == 1 && version.minorVersion() == 1;
        if (!http11 && !(version.majorVersion() == 1 && version.minorVersion() == 0)) {
            return "HTTP version " + version.text() + " is not supported; send HTTP/1.1";
        }
        HttpHeaders headers = request.headers();
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "the request carries " + hosts.size() + " Host headers; send exactly one";
        }
        if (hosts.isEmpty() && http11) {
            return "an HTTP/1.1 request must carry a Host header";
        }
        if (!hosts.isEmpty() && !isAuthority(hosts.get(0))) {
            return "the Host header '" + shorten(hosts.get(0)) + "' is not a host[:port]";
        }
        List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!codings.isEmpty() && !(codings.size() == 1 && codings.get(0).equals("chunked"))) {
            return "Transfer-Encoding must be exactly 'chunked' (got '" + shorten(String.join(", ", codings))
                    + "'); send the body chunked or with Content-Length";
        }
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        if (upgrade != null && !upgrade.equals("h2c")) {
            return "Sluice does not switch protocols (Upgrade: " + shorten(upgrade) + "): WebSocket and the like "
                    + "would carry data it cannot check; send plain HTTP/1.1 requests";
        }
        if (upgrade == null && headers.contains("HTTP2-Settings")) {
            return "HTTP2-Settings without Upgrade: h2c; send plain HTTP/1.1 requests";
        }
        // Upgrade: h2c alone is the one offer a server may ignore (RFC 9113 3.1; the JDK's HTTP client makes it on
        // every cleartext request): it is stripped with the other hop-by-hop headers and answered in HTTP/1.1.
        return null;
    }

    /** Letters, digits and the characters a host, an IPv6 literal and a port are written with; empty is allowed. */
    private static boolean isAuthority(String host) {
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

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
