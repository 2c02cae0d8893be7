package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpRequest;

/** How a listener reads request targets: the gateway takes paths for its one upstream, the forward listener URLs. */
public interface RequestRouter {

    /** The route of a request whose head parsed; never null. Called on the connection's event loop. */
    Route route(HttpRequest request);
}
