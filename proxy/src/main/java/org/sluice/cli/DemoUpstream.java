package org.sluice.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo's stand-in central server on 127.0.0.1: answers every request with a little JSON and remembers what
 * reached it, so the demo can show that denied and oversize requests never arrived.
 */
final class DemoUpstream implements AutoCloseable {

    /** What the stand-in received: request line and body size. */
    record Received(String method, String target, long bodyBytes) {
        @Override
        public String toString() {
            return method + " " + target + (bodyBytes > 0 ? " (" + bodyBytes + " body bytes)" : "");
        }
    }

    /** The demo's config names 127.0.0.1, so the stand-in must not end up on ::1. */
    static final String LOOPBACK = "127.0.0.1";

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private DemoUpstream(HttpServer server) {
        this.server = server;
    }

    static DemoUpstream start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        DemoUpstream upstream = new DemoUpstream(server);
        server.createContext("/", upstream::answer);
        server.start();
        return upstream;
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            long bodyBytes;
            try (InputStream body = exchange.getRequestBody()) {
                bodyBytes = body.transferTo(OutputStream.nullOutputStream());
            }
            String target = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() != null ? "?" + exchange.getRequestURI().getRawQuery() : "");
            received.add(new Received(exchange.getRequestMethod(), target, bodyBytes));
            byte[] json = ("{\"tasks\":[{\"id\":1,\"name\":\"average\",\"status\":\"open\"}],"
                    + "\"receivedBodyBytes\":" + bodyBytes + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, json.length);
            exchange.getResponseBody().write(json);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
