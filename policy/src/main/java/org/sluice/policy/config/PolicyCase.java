package org.sluice.policy.config;

import java.util.List;
import org.sluice.policy.RequestHeader;
import org.sluice.policy.RequestUrl;

/**
 * One case of a {@code policy test} file: a request and the outcome it must get.
 *
 * @param name      unique within the file
 * @param request   the request as written, "METHOD URL"
 * @param method    the method token, as written (methods are case-sensitive)
 * @param url       the URL, read relative to the policy's gateway upstream; for CONNECT, the host:port target
 * @param headers   headers sent with the request, in file order
 * @param expect    one of {@link #OUTCOMES}
 * @param rule      the rule that must decide, or null when any (or none) may
 * @param forwarded header names that must be forwarded upstream
 * @param stripped  header names that must be stripped
 * @param body      the request body ({@code body:} as UTF-8, or the bytes of {@code bodyFile:}), or null when
 *                  the request has none
 * @param position  where the case starts in the cases file
 */
public record PolicyCase(String name, String request, String method, RequestUrl url, List<RequestHeader> headers,
                         String expect, String rule, List<String> forwarded, List<String> stripped, byte[] body,
                         Position position) {

    /**
     * What a case may expect: a policy decision (the audit log's {@code decision}), or the error code of a refusal
     * made before the policy is asked (the {@code X-Sluice-Error} value).
     */
    public static final List<String> OUTCOMES =
            List.of("allow", "deny", "report", "bad_request", "url_too_long", "headers_too_large", "body_too_large",
                    "content_refused");
}
