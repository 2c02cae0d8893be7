package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.TestSluice;

/** A listener takes connections of the address family it was configured with, and no other. */
class ListenAddressE2ETest {

    private static final String IPV4_WILDCARD = """
            version: 1
            gateway:
              listen: 0.0.0.0:0
              upstream: http://localhost:9
            audit:
              path: ${audit}
            """;

    @Test
    void ipv4WildcardListenerDoesNotAcceptIpv6Clients() throws Exception {
        assumeTrue(ipv6LoopbackWorks(), "this machine has no usable ::1");
        try (TestSluice sluice = TestSluice.start(IPV4_WILDCARD)) {
            int port = sluice.gatewayPort();

            assertThat(RawHttpConnection.exchange(port, "GET /anything HTTP/1.1\r\nHost: s\r\n\r\n").status())
                    .isEqualTo(403);
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(InetAddress.getByName("::1"), port), 2000);
                }
            }).isInstanceOf(ConnectException.class);
        }
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return probe.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
