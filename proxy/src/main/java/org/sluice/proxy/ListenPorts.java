package org.sluice.proxy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.sluice.policy.config.ListenAddress;
import org.sluice.policy.config.SluiceConfig;

/**
 * Checks, before Sluice creates its audit file, that every port it is to listen on can be bound: each is bound as
 * the listener will be (SO_REUSEADDR on) and let go at once. A port taken in the instant between this check and
 * the real bind still fails that bind, only later.
 */
final class ListenPorts {
    private ListenPorts() {
    }

    /**
     * @throws SluiceServer.PortInUseException "127.0.0.1:8080 is already in use (gateway.listen)"
     * @throws IOException    a listen address that does not resolve or cannot be bound for another reason
     */
    static void checkFree(SluiceConfig config) throws IOException {
        for (Named listener : listeners(config)) {
            ListenAddress address = listener.address();
            if (address.port() == 0) {
                continue; // any free port: nothing to check
            }
            InetSocketAddress socketAddress = SluiceServer.socketAddress(address);
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(socketAddress);
            } catch (BindException e) {
                throw new SluiceServer.PortInUseException(address.host() + ":" + address.port() + " is already in use ("
                        + listener.key() + ")", e);
            }
        }
    }

    private record Named(String key, ListenAddress address) {
    }

    private static List<Named> listeners(SluiceConfig config) {
        List<Named> listeners = new ArrayList<>(3);
        if (config.gateway() != null) {
            listeners.add(new Named("gateway.listen", config.gateway().listen()));
        }
        if (config.forward() != null) {
            listeners.add(new Named("forward.listen", config.forward().listen()));
        }
        if (config.admin() != null) {
            listeners.add(new Named("admin.listen", config.admin().listen()));
        }
        return listeners;
    }
}
