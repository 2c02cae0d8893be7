package org.sluice.proxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Ports on 127.0.0.1 picked by the OS, for configs that need a fixed number and for "nothing listens here". */
public final class FreePorts {

    private FreePorts() {}

    /** A port that was free a moment ago: bound to 127.0.0.1:0 and closed again. */
    public static int pick() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /**
     * A port on 127.0.0.1 that is bound but never listens, so connecting to it is refused. Unlike a port that
     * was merely free a moment ago, no listener started later (an admin port on :0, say) can take it while the
     * returned socket stays open; close it when done.
     */
    public static Socket unlistened() throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
