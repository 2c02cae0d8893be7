package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Iterator;
import java.util.Map;

/**
 * How many bytes Netty's request encoder writes for a request head: request line, header lines and the blank line.
 * Computed from the head, without encoding it, so that a budget can charge a head before any of it leaves.
 */
final class RequestHeadBytes {
    private static final int SP = 1;
    private static final int CRLF = 2;
    /** ": " between a header's name and value. */
    private static final int COLON_SP = 2;

    private RequestHeadBytes() {
    }

    static long of(HttpRequest request) {
        long bytes = request.method().asciiName().length() + SP + targetBytes(request.uri()) + SP
                + request.protocolVersion().text().length() + CRLF;
        if (request.headers() instanceof IndexedHeaders indexed) {
            return bytes + indexed.encodedBytes() + CRLF;
        }
        Iterator<Map.Entry<CharSequence, CharSequence>> it = request.headers().iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            // The encoder writes header names and values one byte per char.
            bytes += header.getKey().length() + COLON_SP + header.getValue().length() + CRLF;
        }
        return bytes + CRLF;
    }

    /** The target as the encoder writes it (UTF-8): "/" for an empty one, a "/" added after a bare authority. */
    private static long targetBytes(String uri) {
        if (uri.isEmpty()) {
            return 1;
        }
        long bytes = ByteBufUtil.utf8Bytes(uri);
        int start = uri.indexOf("://");
        if (start != -1 && uri.charAt(0) != '/') {
            start += 3;
            int query = uri.indexOf('?', start);
            int lastSlash = query == -1 ? uri.lastIndexOf('/') : uri.lastIndexOf('/', query);
            if (lastSlash < start) {
                bytes++;
            }
        }
        return bytes;
    }
}
