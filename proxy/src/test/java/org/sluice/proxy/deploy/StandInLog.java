package org.sluice.proxy.deploy;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The log a stand-in server in a test's network namespace ({@link NamespaceServer}, {@link NodeProxyStandIn})
 * appends to: one line for each thing that reached it, flushed at once, so the test can read it while the server
 * runs. Also how they take an HTTP request in: body read to the end and counted, a JSON answer.
 */
final class StandInLog {

    private final PrintWriter log;

    StandInLog(Path logFile) throws IOException {
        this.log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
    }

    synchronized void record(String line) {
        log.println(line);
    }

    /** Reads the request's body to its end; returns how many bytes it had. */
    static long bodyBytes(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            return body.transferTo(OutputStream.nullOutputStream());
        }
    }

    static void answerJson(HttpExchange exchange, int status, String json) throws IOException {
        byte[] answer = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }
}
