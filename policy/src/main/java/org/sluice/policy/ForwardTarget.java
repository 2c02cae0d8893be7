package org.sluice.policy;

import java.util.Objects;

/**
 * The target of a plain-HTTP proxy request ({@code GET http://host[:port]/path?query}), split into where it goes and
 * what is asked there. Nothing is decoded: the raw path goes to {@link PathNormalizer}, the raw query to the policy.
 *
 * @param destination where the request goes (listener FORWARD, scheme http)
 * @param rawPath     the path as written, "/" when the URL has none
 * @param rawQuery    the query as written, without '?'; null when there is no '?'
 */
public record ForwardTarget(Destination destination, String rawPath, String rawQuery) {

    /** Checks that destination and rawPath are present. */
    public ForwardTarget {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(rawPath, "rawPath");
    }

    /** The origin-form target to send upstream: rawPath, then '?' and rawQuery when there is a query. */
    public String originForm() {
        return rawQuery == null ? rawPath : rawPath + "?" + rawQuery;
    }
}
