package org.sluice.proxy.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A host in one of {@link NetworkEnforcementIT}'s network namespaces (the central server, or a host outside):
 * HTTP on port 80 and UDP on ports 53 and 9999, on every IPv4 and IPv6 address, each answering whatever reaches it.
 * Every HTTP request line (with its body length) and every datagram (its first bytes as text) is appended to the
 * log file, one line each, so the test can assert on what arrived here. Runs until it is killed.
 *
 * <p>Usage: {@code java -cp TEST_CLASSES org.sluice.proxy.deploy.NamespaceServer LOG_FILE}
 */
final class NamespaceServer {

    static final int HTTP_PORT = 80;
    static final int DNS_PORT = 53;
    static final int UDP_PORT = 9999;

    private final StandInLog log;

    private NamespaceServer(Path logFile) throws IOException {
        this.log = new StandInLog(logFile);
    }

    public static void main(String[] args) throws Exception {
        NamespaceServer server = new NamespaceServer(Path.of(args[0]));
        HttpServer http = HttpServer.create(new InetSocketAddress(HTTP_PORT), 64);
        http.createContext("/", server::answer);
        http.start();
        for (int port : new int[] {DNS_PORT, UDP_PORT}) {
            DatagramSocket udp = new DatagramSocket(port);
            Thread echo = new Thread(() -> server.echo(udp), "udp-" + port);
            echo.setDaemon(true);
            echo.start();
        }
        server.log.record("ready");
    }

    private void answer(HttpExchange exchange) throws IOException {
        long bodyBytes = StandInLog.bodyBytes(exchange);
        log.record("http " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + bodyBytes);
        StandInLog.answerJson(exchange, 200, "{\"ok\":true}");
    }

    private void echo(DatagramSocket socket) {
        byte[] buffer = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.ISO_8859_1)
                        .replaceAll("[^\\x20-\\x7e]", ".");
                log.record("udp " + socket.getLocalPort() + " " + text);
                socket.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
            } catch (IOException e) {
                log.record("udp " + socket.getLocalPort() + " error " + e);
            }
        }
    }
}
