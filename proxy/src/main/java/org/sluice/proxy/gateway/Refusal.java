package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/** Every answer Sluice makes itself: status and the stable {@code X-Sluice-Error} code of the error contract. */
enum Refusal {
    DENIED(HttpResponseStatus.FORBIDDEN, "denied"),
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large"),
    URL_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "url_too_long"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large"),
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "bad_request"),
    BUDGET_EXCEEDED(HttpResponseStatus.TOO_MANY_REQUESTS, "budget_exceeded"),
    CONTENT_REFUSED(HttpResponseStatus.FORBIDDEN, "content_refused"),
    UPSTREAM_FAILED(HttpResponseStatus.BAD_GATEWAY, "upstream_failed"),
    UPSTREAM_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_timeout"),
    UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable");

    final HttpResponseStatus status;
    final String code;
    /** Pre-encoded once: header values are written on every refusal. */
    final AsciiString headerValue;
    /** The error body up to the reason's value: {@code {"error":"<code>","reason":}. */
    final byte[] bodyStart;

    Refusal(HttpResponseStatus status, String code) {
        this.status = status;
        this.code = code;
        this.headerValue = AsciiString.cached(code);
        this.bodyStart = ("{\"error\":\"" + code + "\",\"reason\":").getBytes(StandardCharsets.US_ASCII);
    }
}
