package org.sluice.proxy.gateway;

import org.sluice.policy.Destination;
import org.sluice.proxy.upstream.Upstream;

/**
 * Where one request goes and what of it the policy checks, as its listener read the request target; or why the
 * target is refused.
 *
 * @param destination what the policy decides for (null when refused)
 * @param upstream    where an allowed request is sent (null for a tunnel, whose bytes are not HTTP)
 * @param rawPath     the path as sent, before normalisation
 * @param rawQuery    the query as sent, without '?'; null when there is none
 * @param problem     null when the target is usable; else why it is refused (400), in one sentence
 */
public record Route(Destination destination, Upstream upstream, String rawPath, String rawQuery, String problem) {

    public static Route refused(String problem) {
        return new Route(null, null, null, null, problem);
    }
}
