package org.sluice.policy.content;

import java.util.List;
import java.util.Objects;

/**
 * What a content check reads of one request: the whole body as it would leave, and the parts of the head that
 * carry data the rule forwards.
 *
 * @param body            the request body, whole (empty when there is none); the check never changes it
 * @param contentType     the Content-Type header as sent, or null when there is none
 * @param contentEncoding the Content-Encoding header as sent, or null when there is none
 * @param query           the raw query string without '?', or null when there is none
 * @param headerValues    the values of the request headers that are forwarded upstream, as sent
 */
public record ContentInput(byte[] body, String contentType, String contentEncoding, String query,
                           List<String> headerValues) {

    public ContentInput {
        Objects.requireNonNull(body, "body");
        headerValues = headerValues == null ? List.of() : List.copyOf(headerValues);
    }

    /** A body with a Content-Type and nothing else. */
    public static ContentInput body(byte[] body, String contentType) {
        return new ContentInput(body, contentType, null, null, List.of());
    }
}
