package org.sluice.proxy.gateway;

import io.netty.util.AsciiString;

/** Header names and values Sluice adds; pre-encoded once. */
final class SluiceHeaders {
    static final AsciiString REQUEST_ID = AsciiString.cached("x-sluice-request-id");
    static final AsciiString ERROR = AsciiString.cached("x-sluice-error");
    static final AsciiString VIA_VALUE = AsciiString.cached("1.1 sluice");

    private SluiceHeaders() {
    }
}
