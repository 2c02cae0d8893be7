package org.sluice.proxy.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An HTTP/1.x client over a plain socket that sends exactly the bytes it is given: chunked bodies,
 * {@code Expect: 100-continue}, HTTP/1.0, unnormalised paths such as {@code /api/%2e%2e/admin}, and many
 * requests on one connection. It reads responses one at a time, interim 1xx responses included.
 */
public final class RawHttpConnection implements AutoCloseable {

    /** Upper bound for any one read; tests fail instead of hanging when Sluice does not answer. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_LINE = 64 << 10;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:port. */
    public static RawHttpConnection open(int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_TIMEOUT.toMillis());
        return new RawHttpConnection(socket);
    }

    /** Opens a connection, sends the request, reads one final response (skipping 1xx) and closes. */
    public static RawResponse exchange(int port, String request) throws IOException {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Opens a connection, sends the bytes, reads one final response (skipping 1xx) and closes. */
    public static RawResponse exchange(int port, byte[] request) throws IOException {
        try (RawHttpConnection connection = open(port)) {
            connection.send(request);
            RawResponse response = connection.readResponse();
            while (response.status() >= 100 && response.status() < 200) {
                response = connection.readResponse();
            }
            return response;
        }
    }

    /** Sends the text as ISO-8859-1 bytes, i.e. byte for char. */
    public RawHttpConnection send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttpConnection send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one response; an interim 1xx response is returned on its own. */
    public RawResponse readResponse() throws IOException {
        return readResponse(false);
    }

    /** Reads one response; {@code toHead} says it answers a HEAD request and so has no body. */
    public RawResponse readResponse(boolean toHead) throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        List<Map.Entry<String, String>> headers = readHeaders();
        RawResponse head = new RawResponse(parts[0], status, parts.length > 2 ? parts[2] : "", headers, new byte[0], false);
        if (toHead || status < 200 || status == 204 || status == 304) {
            return head;
        }
        String transferEncoding = head.header("Transfer-Encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase().contains("chunked")) {
            return new RawResponse(head.version(), status, head.reason(), headers, readChunked(), true);
        }
        String contentLength = head.header("Content-Length");
        byte[] body = contentLength != null ? readExactly(Long.parseLong(contentLength.trim())) : readToEnd();
        return new RawResponse(head.version(), status, head.reason(), headers, body, false);
    }

    /** True when the peer closes (or resets) the connection within the timeout without sending anything. */
    public boolean closedByPeerWithin(Duration timeout) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            int b = in.read();
            if (b >= 0) {
                throw new IOException("expected the connection to close, got data starting with byte " + b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;   // reset by peer
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(previous);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private List<Map.Entry<String, String>> readHeaders() throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("bad header line: " + line);
            }
            headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        return headers;
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                readHeaders();   // trailers
                return body.toByteArray();
            }
            body.write(readExactly(size));
            if (!readLine().isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private byte[] readExactly(long length) throws IOException {
        byte[] bytes = in.readNBytes(Math.toIntExact(length));
        if (bytes.length != length) {
            throw new EOFException("body ended after " + bytes.length + " of " + length + " bytes");
        }
        return bytes;
    }

    private byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    /** One line without its CRLF (a bare LF is accepted too), or null at end of stream. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        return line.size() == 0 ? null : new String(line.toByteArray(), StandardCharsets.ISO_8859_1);
    }
}
