package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import org.sluice.policy.ForwardTarget;
import org.sluice.policy.ForwardTargets;
import org.sluice.proxy.upstream.ForwardUpstreams;

/**
 * The forward listener's targets: absolute http:// URLs, as HTTP_PROXY clients send them, each to the host it
 * names. The Host header, when sent, must name the same host and port: a proxy that trusted one and connected to
 * the other could be steered past its own check. A CONNECT reaches this router only when it was not the first
 * request on its connection (a tunnel takes over the whole connection).
 */
public final class ForwardRouter implements RequestRouter {
    private final ForwardUpstreams upstreams;

    public ForwardRouter(ForwardUpstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public Route route(HttpRequest request) {
        if (request.method() == HttpMethod.CONNECT) {
            return Route.refused("a CONNECT must be the first request on its connection; open a new connection "
                    + "for the tunnel");
        }
        String target = request.uri();
        if (target.startsWith("/")) {
            return Route.refused("this is the forward proxy listener: it takes absolute URLs such as "
                    + "http://host/path (HTTP_PROXY) and CONNECT host:443 (HTTPS_PROXY); requests for the central "
                    + "server go to the gateway listener");
        }
        ForwardTarget parsed;
        try {
            parsed = ForwardTargets.absolute(target);
        } catch (IllegalArgumentException e) {
            return Route.refused(e.getMessage());
        }
        String disagreement = hostDisagreement(request, parsed);
        if (disagreement != null) {
            return Route.refused(disagreement);
        }
        return new Route(parsed.destination(), upstreams.route(parsed.destination()), parsed.rawPath(),
                parsed.rawQuery(), null);
    }

    private static String hostDisagreement(HttpRequest request, ForwardTarget parsed) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "the request carries " + hosts.size() + " Host headers; send one, naming the URL's host";
        }
        return hosts.isEmpty() ? null : ForwardTargets.hostDisagreement(hosts.get(0), parsed.destination());
    }
}
