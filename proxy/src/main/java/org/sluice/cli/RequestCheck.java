package org.sluice.cli;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sluice.policy.Destination;
import org.sluice.policy.Explanation;
import org.sluice.policy.ForwardTargets;
import org.sluice.policy.Listener;
import org.sluice.policy.Mode;
import org.sluice.policy.NormalizedPath;
import org.sluice.policy.PathNormalizer;
import org.sluice.policy.Policy;
import org.sluice.policy.PolicyExplainer;
import org.sluice.policy.RequestHeader;
import org.sluice.policy.RequestUrl;
import org.sluice.policy.config.Limits;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.config.UpstreamConfig;
import org.sluice.policy.content.ContentCheck;
import org.sluice.policy.content.ContentInput;
import org.sluice.policy.content.ContentVerdict;
import org.sluice.proxy.gateway.HopByHopHeaders;

/**
 * What Sluice would do with one request, without sending it: the checks the gateway makes before it asks the
 * policy (target and header sizes, fragment, path), then the policy's decision and which headers would go
 * upstream, and for a request with a body the body limit and the rule's content checks. Shared by
 * {@code policy explain} and {@code policy test}.
 */
final class RequestCheck {

    private final SluiceConfig config;
    private final PolicyExplainer explainer;
    private final Destination gateway;

    RequestCheck(SluiceConfig config) {
        this.config = config;
        this.explainer = new PolicyExplainer(config, Policy.compile(config));
        UpstreamConfig upstream = config.gateway() == null ? null : config.gateway().upstream();
        this.gateway = upstream == null ? null : Destination.gateway(upstream.scheme(), upstream.host(), upstream.port());
    }

    /** The gateway's one destination, against which URLs are read; null for a forward-only config. */
    Destination gateway() {
        return gateway;
    }

    /** Checks a request without a body. */
    Result check(String method, RequestUrl url, List<RequestHeader> headers) {
        return check(method, url, headers, null);
    }

    /** Checks a request with {@code body} (null: none), as the gateway or forward listener would. */
    Result check(String method, RequestUrl url, List<RequestHeader> headers, byte[] body) {
        Limits limits = config.limits();
        int targetBytes = url.target().getBytes(StandardCharsets.UTF_8).length;
        int headerBytes = headers.stream().mapToInt(RequestHeader::lineBytes).sum();
        NormalizedPath path = PathNormalizer.normalize(url.rawPath());
        Explanation explanation = url.tunnel() ? explainer.explainTunnel(url.destination())
                : path.ok() ? explainer.explain(url.destination(), method, path.path(), url.rawQuery()) : null;
        Refusal refusal = null;
        if (targetBytes > limits.maxUrlBytes()) {
            refusal = new Refusal(414, "url_too_long", "the request target is " + targetBytes
                    + " bytes; maxUrlBytes allows " + limits.maxUrlBytes());
        } else if (headerBytes > limits.maxHeaderBytes()) {
            refusal = new Refusal(431, "headers_too_large", "the request headers are " + headerBytes
                    + " bytes; maxHeaderBytes allows " + limits.maxHeaderBytes());
        } else if (url.destination().listener() == Listener.GATEWAY && method.equals("CONNECT")) {
            refusal = new Refusal(400, "bad_request", "the gateway takes origin-form targets such as /api/tasks; "
                    + "absolute URLs and CONNECT are for a forward proxy");
        } else if (url.fragment()) {
            refusal = new Refusal(400, "bad_request", "a request target must not carry a fragment ('#')");
        } else if (forwardRefusal(url) != null) {
            refusal = new Refusal(400, "bad_request", forwardRefusal(url));
        } else if (!path.ok()) {
            refusal = new Refusal(400, "bad_request", path.error());
        }
        HttpHeaders sent = requestHeaders(headers);
        ContentVerdict content = null;
        if (refusal == null && explanation.decision().forwards() && !url.tunnel()) {
            long limit = explanation.decision().limits().maxRequestBodyBytes();
            if (body != null && body.length > limit) {
                refusal = new Refusal(413, "body_too_large", "the body is " + body.length + " bytes; rule "
                        + explanation.decision().rule() + " allows at most " + limit + " (maxRequestBodyBytes)");
            } else if (explanation.decision().content() != null) {
                content = explanation.decision().content().inspect(contentInput(url, headers, sent, body,
                        explanation));
            }
        }
        return new Result(url, headers, targetBytes, headerBytes, path, refusal, explanation, sent, hostSent(url),
                content);
    }

    /** What the content checks read: the body, and the query and header values that would go upstream. */
    private static ContentInput contentInput(RequestUrl url, List<RequestHeader> headers, HttpHeaders sent,
                                             byte[] body, Explanation explanation) {
        List<String> forwarded = new ArrayList<>();
        for (RequestHeader h : headers) {
            // As the proxy's ContentGate: framing (Content-Length) and Sluice's own headers are not the client's data.
            if (!h.name().equalsIgnoreCase("host") && !h.name().equalsIgnoreCase("expect")
                    && !h.name().equalsIgnoreCase("content-length")
                    && !HopByHopHeaders.removedFromRequest(h.name(), sent)
                    && explanation.decision().headers().allows(h.name())) {
                forwarded.add(h.value());
            }
        }
        return new ContentInput(body == null ? new byte[0] : body, sent.get("Content-Type"),
                sent.get("Content-Encoding"), url.rawQuery(), forwarded);
    }

    /** Why the forward listener refuses an absolute-form target (an https:// URL: that goes by CONNECT), or null. */
    private static String forwardRefusal(RequestUrl url) {
        if (url.destination().listener() != Listener.FORWARD || url.tunnel()) {
            return null;
        }
        try {
            ForwardTargets.absolute(url.target());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static HttpHeaders requestHeaders(List<RequestHeader> headers) {
        HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        headers.forEach(h -> netty.add(h.name(), h.value()));
        return netty;
    }

    /** The Host the request goes upstream with: the upstream's for the gateway, the target's for the forward proxy. */
    private String hostSent(RequestUrl url) {
        if (url.destination().listener() == Listener.GATEWAY) {
            return config.gateway().upstream().authority();
        }
        return ForwardTargets.authority(url.destination());
    }

    /**
     * A refusal Sluice makes before the policy decides.
     *
     * @param status HTTP status
     * @param code   the X-Sluice-Error code
     * @param reason the refusal's one sentence
     */
    record Refusal(int status, String code, String reason) {}

    /** What happens to one request header. */
    enum Fate {
        /** Sent upstream as it is. */
        FORWARDED,
        /** Sent upstream with Sluice's value (Host). */
        REPLACED,
        /** Taken out because the deciding rule does not let it through. */
        STRIPPED,
        /** Hop-by-hop, Proxy-*, named by Connection, or Expect: Sluice handles it and never forwards it as sent. */
        HANDLED_BY_SLUICE
    }

    /**
     * One checked request.
     *
     * @param url         the request URL
     * @param headers     the headers sent
     * @param targetBytes the request target's size, compared with maxUrlBytes
     * @param headerBytes the header lines' size, compared with maxHeaderBytes
     * @param path        the normalised path, or why it is refused
     * @param refusal     a refusal before the policy, or null when the policy decides
     * @param explanation the policy's decision with its rule or nearest rules; also computed when a limit refuses
     *                    the request (what the policy would say), null only when the path is refused
     * @param sent        the headers as Netty holds them, to ask which are hop-by-hop
     * @param hostSent    the Host value the request goes upstream with
     * @param content     what the rule's content checks found, or null when the rule has none (or the request is
     *                    refused before they run)
     */
    record Result(RequestUrl url, List<RequestHeader> headers, int targetBytes, int headerBytes, NormalizedPath path,
                  Refusal refusal, Explanation explanation, HttpHeaders sent, String hostSent,
                  ContentVerdict content) {

        /**
         * True when the request goes upstream (or the tunnel opens): no refusal, the policy allows or reports it,
         * and its content checks pass or only report.
         */
        boolean forwards() {
            return refusal == null && explanation.decision().forwards() && !contentRefused();
        }

        /** True when a content check refuses the request and is enforced (not in report mode). */
        boolean contentRefused() {
            return content != null && !content.passed() && !contentReported();
        }

        /** True when a content check would refuse the request but only reports it (its mode, or the rule's). */
        boolean contentReported() {
            if (content == null || content.passed()) {
                return false;
            }
            ContentCheck check = explanation.decision().content();
            Mode mode = check.mode() != null ? check.mode() : explanation.decision().mode();
            return mode == Mode.REPORT;
        }

        /** allow, deny or report; or the refusal's code. */
        String outcome() {
            if (refusal != null) {
                return refusal.code();
            }
            if (contentRefused()) {
                return "content_refused";
            }
            return contentReported() ? "report" : explanation.decision().auditName();
        }

        /** The rule that decided, or null. */
        String rule() {
            return refusal != null && !refusal.code().equals("body_too_large") ? null
                    : explanation.decision().rule();
        }

        /** What happens to a request header of this name when the request goes upstream. */
        Fate fate(String name) {
            if (name.equalsIgnoreCase("host")) {
                return Fate.REPLACED;
            }
            if (name.equalsIgnoreCase("expect") || HopByHopHeaders.removedFromRequest(name, sent)) {
                return Fate.HANDLED_BY_SLUICE;
            }
            return explanation.decision().headers().allows(name) ? Fate.FORWARDED : Fate.STRIPPED;
        }

        /** The sent headers with their fates, in the order given. */
        List<HeaderFate> headerFates() {
            List<HeaderFate> fates = new ArrayList<>();
            headers.forEach(h -> fates.add(new HeaderFate(h, fate(h.name()))));
            return fates;
        }
    }

    /**
     * One sent header and what happens to it.
     *
     * @param header the header as sent
     * @param fate   what happens to it
     */
    record HeaderFate(RequestHeader header, Fate fate) {}
}
