package org.sluice.proxy.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The vantage6 node's proxy server as {@link Vantage6GatewayIT} needs it: the node proxy's routes (vantage6-node,
 * {@code proxy_server.py}) on every address, port {@value #PROXY_PORT} like the node's, and one more port standing
 * for anything else the node container might listen on. Answers 200 with the route that took the request, 405 to a
 * method no route has; forwards nothing. Every request is appended to the log file as
 * {@code METHOD URI BODY_BYTES ROUTE SOURCE_ADDRESS LOCAL_PORT}, so the test can tell who reached it.
 *
 * <p>Usage: {@code java -cp TEST_CLASSES org.sluice.proxy.deploy.NodeProxyStandIn LOG_FILE}
 */
final class NodeProxyStandIn {

    static final int PROXY_PORT = 8080;
    static final int OTHER_PORT = 9999;

    /** The catch-all {@code /<path>} route's methods; the named routes below take a subset of them. */
    private static final Set<String> CATCH_ALL_METHODS = Set.of("GET", "POST", "PATCH", "PUT", "DELETE");
    private static final Pattern RESULT_ONE = Pattern.compile("/result/\\d+");
    private static final Pattern BLOB_ONE = Pattern.compile("/blobstream/[^/]+");

    private final StandInLog log;

    private NodeProxyStandIn(Path logFile) throws IOException {
        this.log = new StandInLog(logFile);
    }

    public static void main(String[] args) throws Exception {
        NodeProxyStandIn standIn = new NodeProxyStandIn(Path.of(args[0]));
        for (int port : new int[] {PROXY_PORT, OTHER_PORT}) {
            // The wildcard address: IPv4 and IPv6, as a listener on 0.0.0.0 and one on :: together.
            HttpServer http = HttpServer.create(new InetSocketAddress(port), 64);
            http.createContext("/", standIn::answer);
            http.start();
        }
        standIn.log.record("ready");
    }

    /** Which of the node proxy's routes takes this request, or null (405). */
    static String route(String method, String path) {
        if ("POST".equals(method) && "/task".equals(path)) {
            return "task";
        }
        if ("GET".equals(method) && "/result".equals(path)) {
            return "result-list";
        }
        if ("GET".equals(method) && RESULT_ONE.matcher(path).matches()) {
            return "result-one";
        }
        if (("GET".equals(method) || "POST".equals(method)) && "/blobstream".equals(path)) {
            return "blobstream";
        }
        if ("GET".equals(method) && BLOB_ONE.matcher(path).matches()) {
            return "blobstream-one";
        }
        if (CATCH_ALL_METHODS.contains(method) && path.length() > 1) {
            return "catch-all";
        }
        return null;
    }

    private void answer(HttpExchange exchange) throws IOException {
        long bodyBytes = StandInLog.bodyBytes(exchange);
        String method = exchange.getRequestMethod();
        String route = route(method, exchange.getRequestURI().getPath());
        log.record(method + " " + exchange.getRequestURI() + " " + bodyBytes + " " + (route == null ? "none" : route)
                + " " + exchange.getRemoteAddress().getAddress().getHostAddress() + " "
                + exchange.getLocalAddress().getPort());
        StandInLog.answerJson(exchange, route == null ? 405 : 200, "{\"route\":\"" + route + "\"}");
    }
}
