package org.sluice.proxy.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Tries to get out of a network namespace the way an algorithm might, and prints one line per attempt:
 * {@code TARGET ok|fail MILLIS DETAIL}. {@link NetworkEnforcementIT} runs it under different user ids.
 *
 * <p>Targets: {@code tcp:HOST:PORT} (connects and sends an HTTP request naming the label, succeeds on a status
 * line), {@code udp:HOST:PORT} (sends the label, succeeds on an echo), {@code dns:HOST} (a DNS query for
 * LABEL.example. to port 53, succeeds on any answer), {@code loopback} (connects to a listener this probe opens
 * on 127.0.0.1). A host may be an IPv6 literal in brackets.
 *
 * <p>Usage: {@code java -cp TEST_CLASSES org.sluice.proxy.deploy.EgressProbe LABEL TARGET...}
 */
final class EgressProbe {

    static final int TIMEOUT_MILLIS = 1500;

    private EgressProbe() {}

    public static void main(String[] args) {
        String label = args[0];
        for (int i = 1; i < args.length; i++) {
            String target = args[i];
            long start = System.nanoTime();
            String outcome;
            try {
                outcome = "ok " + attempt(label, target);
            } catch (IOException | RuntimeException e) {
                outcome = "fail " + e;
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            int space = outcome.indexOf(' ');
            System.out.println(target + " " + outcome.substring(0, space) + " " + millis + outcome.substring(space));
        }
        System.out.flush();
    }

    private static String attempt(String label, String target) throws IOException {
        String[] parts = target.split(":", 2);
        switch (parts[0]) {
            case "tcp":
                return tcp(label, address(parts[1]));
            case "udp":
                return udp(label.getBytes(StandardCharsets.US_ASCII), address(parts[1]));
            case "dns":
                return udp(dnsQuery(label), new InetSocketAddress(host(parts[1]), NamespaceServer.DNS_PORT));
            case "loopback":
                return loopback();
            default:
                throw new IllegalArgumentException("unknown target " + target);
        }
    }

    private static String tcp(String label, InetSocketAddress to) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(to, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /probe/" + label + " HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] head = socket.getInputStream().readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).trim();
        }
    }

    private static String udp(byte[] payload, InetSocketAddress to) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.bind(null);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.connect(to);
            socket.send(new DatagramPacket(payload, payload.length));
            DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
            socket.receive(reply);
            return reply.getLength() + " bytes back";
        }
    }

    private static String loopback() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                Socket socket = new Socket()) {
            socket.connect(listener.getLocalSocketAddress(), TIMEOUT_MILLIS);
            try (Socket accepted = listener.accept(); InputStream ignored = accepted.getInputStream()) {
                return "connected to port " + listener.getLocalPort();
            }
        }
    }

    /** A standard query (recursion desired) for the A record of LABEL.example. */
    private static byte[] dnsQuery(String label) {
        ByteBuffer query = ByteBuffer.allocate(64 + label.length());
        query.putShort((short) 0x5155).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        for (String name : new String[] {label, "example"}) {
            query.put((byte) name.length()).put(name.getBytes(StandardCharsets.US_ASCII));
        }
        query.put((byte) 0).putShort((short) 1).putShort((short) 1);
        byte[] bytes = new byte[query.position()];
        query.flip().get(bytes);
        return bytes;
    }

    private static InetSocketAddress address(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        return new InetSocketAddress(host(hostAndPort.substring(0, colon)),
                Integer.parseInt(hostAndPort.substring(colon + 1)));
    }

    private static InetAddress host(String host) {
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an IP literal: " + host, e);
        }
    }
}
