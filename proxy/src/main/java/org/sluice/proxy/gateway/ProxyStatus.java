package org.sluice.proxy.gateway;

import io.netty.util.AsciiString;

/**
 * The {@code Proxy-Status} header (RFC 9209) of a refused CONNECT: clients drop a CONNECT response's body (curl,
 * the JDK and browsers report only "403 from proxy"), so the error type and Sluice's reason go in a header.
 * {@code error} is a value from RFC 9209's registry; {@code details} is Sluice's {@code X-Sluice-Error} code and
 * reason, as a structured-field string (printable ASCII, {@code "} and {@code \} escaped).
 */
final class ProxyStatus {
    static final AsciiString NAME = AsciiString.cached("proxy-status");
    /** Longer reasons are cut: the header must stay well inside any client's header limits. */
    private static final int MAX_DETAILS = 512;

    private ProxyStatus() {
    }

    /** {@code sluice; error=http_request_denied; details="denied: no CONNECT rule ..."}. */
    static String value(Refusal refusal, String outcome, String reason) {
        return "sluice; error=" + errorType(refusal, outcome) + "; details=" + string(outcome + ": " + reason);
    }

    /** The RFC 9209 proxy error type that fits the refusal. */
    static String errorType(Refusal refusal, String outcome) {
        if ("upstream_address_denied".equals(outcome)) {
            return "destination_ip_prohibited";
        }
        return switch (refusal) {
            case DENIED, BUDGET_EXCEEDED, CONTENT_REFUSED -> "http_request_denied";
            case BAD_REQUEST, URL_TOO_LONG, HEADERS_TOO_LARGE, BODY_TOO_LARGE -> "http_request_error";
            case UPSTREAM_FAILED -> "destination_unavailable";
            case UPSTREAM_TIMEOUT -> "connection_timeout";
            case UNAVAILABLE -> "proxy_internal_error";
        };
    }

    /** An RFC 8941 sf-string: characters outside printable ASCII become '?'. */
    static String string(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_DETAILS) + 8).append('"');
        for (int i = 0; i < text.length() && i < MAX_DETAILS; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else {
                out.append(c >= 0x20 && c <= 0x7e ? c : '?');
            }
        }
        return out.append('"').toString();
    }
}
