package org.sluice.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on 127.0.0.1 with a certificate from {@link TestCa} for one host name: the far end of CONNECT
 * tunnels. Counts TCP connections accepted (so a test can prove a refused tunnel never reached it) and TLS
 * sessions completed, and answers each request head with {@code 200 hello}, keeping the connection open.
 */
public final class TlsTestServer implements AutoCloseable {
    private final SSLServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();

    private TlsTestServer(SSLServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::acceptLoop, "tls-test-server");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** Listens on 127.0.0.1, any free port, as {@code hostName} with a certificate {@code ca} issued. */
    public static TlsTestServer start(TestCa ca, String hostName, Path folder) throws Exception {
        Path keyStoreFile = ca.keyStoreFor(hostName, folder.resolve(hostName + ".p12"));
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStoreFile)) {
            keyStore.load(in, TestCa.KEY_STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, TestCa.KEY_STORE_PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        return new TlsTestServer(server);
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** TCP connections accepted so far (whether or not their handshake succeeded). */
    public int accepted() {
        return accepted.get();
    }

    /** TLS handshakes completed so far. */
    public int handshakes() {
        return handshakes.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                Thread serve = new Thread(() -> serve((SSLSocket) socket), "tls-test-connection");
                serve.setDaemon(true);
                serve.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SSLSocket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            handshakes.incrementAndGet();
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int matched = 0;
            int b;
            while ((b = in.read()) >= 0) {
                // Answers at the end of each request head (CRLF CRLF); bodies are not expected.
                matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
                if (matched == 4) {
                    matched = 0;
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        } catch (SocketException e) {
            // the tunnel was closed
        } catch (IOException e) {
            // a handshake that did not complete, or a reset: counted by accepted() only
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
