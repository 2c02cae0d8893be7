package org.sluice.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Future;
import org.sluice.policy.Destination;

/**
 * Where allowed requests go: connections to the central server (or, through the forward listener, to the
 * destination of one request), handed out per event loop. Each connection's
 * pipeline ends with {@link CentralServerUpstream#addHttpHandlers}, so the relay can
 * {@link CentralServerUpstream#attach attach} to it.
 */
public interface Upstream {

    /** A connection on the caller's own event loop; the future completes on that loop. */
    Future<Channel> acquire(EventLoop loop);

    /**
     * Hands a connection back for reuse; call only after a complete request and response on it. From then on its
     * events (closing among them) no longer reach the caller.
     */
    void release(Channel channel);

    /**
     * Applies {@code gateway.upstream.headers} and {@code clientAuthorization} to a request's headers, after the
     * rule's allowlist: removes the algorithm's Authorization when configured and sets the injected credentials.
     */
    default void setCredentials(HttpHeaders headers) { }

    /** True when {@link #setCredentials} sets header {@code name} (content checks skip the operator's secrets). */
    default boolean injectsHeader(CharSequence name) {
        return false;
    }

    /** The central server as the policy sees it: every gateway request is decided for this destination. */
    Destination destination();

    /** host, or host:port when the port is not the scheme's default: the Host header requests get. */
    String authority();

    /** How messages to the client name this upstream: "the central server central.example.org". */
    default String describe() {
        return "the central server " + authority();
    }
}
