package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import org.sluice.proxy.upstream.Upstream;

/** The gateway's targets: origin-form paths, every one bound for the central server. */
public final class GatewayRouter implements RequestRouter {
    private final Upstream upstream;

    public GatewayRouter(Upstream upstream) {
        this.upstream = upstream;
    }

    @Override
    public Route route(HttpRequest request) {
        String target = request.uri();
        if (request.method() == HttpMethod.CONNECT || !target.startsWith("/")) {
            return Route.refused("the gateway takes origin-form targets such as /api/tasks; absolute URLs and "
                    + "CONNECT are for the forward proxy listener");
        }
        if (target.indexOf('#') >= 0) {
            return Route.refused("a request target must not carry a fragment ('#')");
        }
        return new Route(upstream.destination(), upstream, RequestTargets.rawPath(target),
                RequestTargets.queryOrNull(target), null);
    }
}
