package org.sluice.proxy.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One HTTP response as it came off the wire: status line, headers in order, and the body after de-chunking.
 * {@code chunked} says whether the body was sent with Transfer-Encoding: chunked.
 */
public record RawResponse(String version, int status, String reason, List<Map.Entry<String, String>> headers,
                          byte[] body, boolean chunked) {

    /** The first value of the header (case-insensitive), or null. */
    public String header(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    /** Every value of the header (case-insensitive), in order. */
    public List<String> headers(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body parsed as one JSON object (Sluice's own error responses). */
    public Map<String, Object> json() {
        return JsonLines.object(bodyText());
    }

    @Override
    public String toString() {
        return version + " " + status + " " + reason + " " + headers + " body(" + body.length + ")="
                + (body.length <= 512 ? bodyText() : bodyText().substring(0, 512) + "...");
    }
}
