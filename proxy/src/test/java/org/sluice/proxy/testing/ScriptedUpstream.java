package org.sluice.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream on 127.0.0.1 that reads each request (head, and a body of the declared Content-Length), answers
 * with the same raw bytes and then closes: for responses no well-behaved server would send, and for a server
 * that closes after every answer. Counts the requests it read.
 */
public final class ScriptedUpstream implements AutoCloseable {

    private static final int SO_TIMEOUT_MILLIS = 5_000;
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

    private final ServerSocket server;
    private final byte[] answer;
    private final boolean readsBody;
    private final AtomicInteger requests = new AtomicInteger();
    private final Thread acceptor;

    private ScriptedUpstream(ServerSocket server, byte[] answer, boolean readsBody) {
        this.server = server;
        this.answer = answer;
        this.readsBody = readsBody;
        this.acceptor = new Thread(this::serve, "scripted-upstream");
        this.acceptor.setDaemon(true);
    }

    /** Starts answering every request with {@code answer}, sent as ISO-8859-1 bytes. */
    public static ScriptedUpstream answering(String answer) throws IOException {
        return start(answer, true);
    }

    /** Answers as soon as the head is read and closes without reading the body, like a server refusing early. */
    public static ScriptedUpstream answeringBeforeTheBody(String answer) throws IOException {
        return start(answer, false);
    }

    private static ScriptedUpstream start(String answer, boolean readsBody) throws IOException {
        ScriptedUpstream upstream = new ScriptedUpstream(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")),
                answer.getBytes(StandardCharsets.ISO_8859_1), readsBody);
        upstream.acceptor.start();
        return upstream;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Request heads read so far. */
    public int requests() {
        return requests.get();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(SO_TIMEOUT_MILLIS);
                long bodyLength = readHead(socket.getInputStream());
                if (bodyLength >= 0) {
                    if (readsBody) {
                        socket.getInputStream().skipNBytes(bodyLength);
                    }
                    requests.incrementAndGet();
                    socket.getOutputStream().write(answer);
                    socket.getOutputStream().flush();
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                // one bad connection does not stop the upstream
            }
        }
    }

    /** Reads up to the blank line after the headers; returns the declared Content-Length (0 if none), -1 at EOF. */
    private static long readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                Matcher length = CONTENT_LENGTH.matcher(head);
                return length.find() ? Long.parseLong(length.group(1)) : 0;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(SO_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
