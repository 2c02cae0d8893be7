package org.sluice.proxy.upstream;

import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * A connection to an upstream that could not be made, said in plain words ("the central server at
 * 127.0.0.1:8443 refused the connection") instead of the socket layer's ("finishConnect(..) failed with
 * error(-111)"). The message is a whole sentence: the relay answers with it as it is.
 */
public final class ConnectFailure extends IOException {

    ConnectFailure(String who, InetSocketAddress address, Throwable cause) {
        super(describe(who, address, cause), cause);
    }

    /** {@code who} (e.g. "the central server") at {@code address}, and what happened, from the cause's kind. */
    public static String describe(String who, InetSocketAddress address, Throwable cause) {
        return who + " at " + format(address) + " " + what(cause);
    }

    private static String what(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectTimeoutException) {
                return "did not accept the connection in time (the connect timeout)";
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("connection refused")) {
                return "refused the connection";
            }
            if (message.contains("no route to host") || message.contains("host is unreachable")
                    || message.contains("network is unreachable")) {
                return "cannot be reached: there is no route to it";
            }
            if (message.contains("connection reset")) {
                return "reset the connection";
            }
            if (message.contains("timed out")) {
                return "did not accept the connection in time (the connect timeout)";
            }
        }
        String detail = cause == null ? null : cause.getMessage();
        return "could not be connected to: " + (detail == null && cause != null ? cause.getClass().getSimpleName()
                : detail);
    }

    /** ip:port, [ipv6]:port. */
    static String format(InetSocketAddress address) {
        if (address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String ip = address.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }
}
