package org.sluice.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.RawHttpConnection;
import org.sluice.proxy.testing.RawResponse;
import org.sluice.proxy.testing.RecordingUpstream;
import org.sluice.proxy.testing.TestDnsServer;
import org.sluice.proxy.testing.TestSluice;

/**
 * The config decides how names resolve, for the gateway's upstream and the forward listener alike: only
 * forward.dns.servers (here the test's DNS server on 127.0.0.1), and a hosts file only when forward.dns.hostsFile
 * names one. The DNS answer is 127.0.0.1, the hosts file says 127.0.0.2; a server waits on each, on the same port.
 * (That the machine's own /etc/hosts is never read is HostsFileSteeringTest's: it cannot be replaced here.)
 */
class NameResolutionE2ETest {

    @TempDir
    Path folder;

    private TestDnsServer dns;
    private RecordingUpstream dnsAnswer;
    private RecordingUpstream hostsFileAnswer;
    private Path hostsFile;

    @BeforeEach
    void start() throws Exception {
        dns = TestDnsServer.start();
        dnsAnswer = RecordingUpstream.start("127.0.0.1", 0);
        hostsFileAnswer = RecordingUpstream.start("127.0.0.2", dnsAnswer.port());
        dns.answer("central.sluice.test", 60, "127.0.0.1");
        dns.answer("mirror.sluice.test", 60, "127.0.0.1");
        hostsFile = Files.writeString(folder.resolve("hosts"), "127.0.0.2 central.sluice.test mirror.sluice.test\n");
    }

    @AfterEach
    void stop() {
        hostsFileAnswer.close();
        dnsAnswer.close();
        dns.close();
    }

    private String config(String dnsKeys) {
        return """
                version: 1
                allowPrivate: [127.0.0.0/8]
                gateway:
                  listen: 127.0.0.1:0
                  upstream: http://central.sluice.test:%d
                forward:
                  listen: 127.0.0.1:0
                  dns:
                    servers: ["127.0.0.1:%d"]
                %saudit:
                  path: ${audit}
                rules:
                  - name: api
                    methods: [GET]
                    paths: ["/api/**"]
                  - name: mirror
                    methods: [GET]
                    paths: ["/**"]
                    hosts: [mirror.sluice.test]
                """.formatted(dnsAnswer.port(), dns.address().getPort(), dnsKeys);
    }

    private static void exchangeBoth(TestSluice sluice, int port) throws Exception {
        RawResponse gateway = RawHttpConnection.exchange(sluice.gatewayPort(),
                "GET /api/models HTTP/1.1\r\nHost: sluice\r\n\r\n");
        RawResponse forward = RawHttpConnection.exchange(sluice.forwardPort(), "GET http://mirror.sluice.test:"
                + port + "/simple/ HTTP/1.1\r\nHost: mirror.sluice.test:" + port + "\r\n\r\n");
        assertThat(gateway.status()).isEqualTo(200);
        assertThat(forward.status()).isEqualTo(200);
    }

    @Test
    void theUpstreamAndForwardDestinationsResolveThroughTheConfiguredServerOnly() throws Exception {
        try (TestSluice sluice = TestSluice.start(config(""))) {
            exchangeBoth(sluice, dnsAnswer.port());

            assertThat(dnsAnswer.received()).extracting(RecordingUpstream.Received::uri)
                    .containsExactlyInAnyOrder("/api/models", "/simple/");
            assertThat(hostsFileAnswer.connectionsAccepted()).isZero();
            assertThat(dns.queries("central.sluice.test")).isPositive();
            assertThat(dns.queries("mirror.sluice.test")).isPositive();
        }
    }

    @Test
    void aHostsFileIsBelievedOnlyWhenTheConfigNamesIt() throws Exception {
        try (TestSluice sluice = TestSluice.start(config("    hostsFile: \"" + hostsFile + "\"\n"))) {
            exchangeBoth(sluice, dnsAnswer.port());

            assertThat(hostsFileAnswer.received()).extracting(RecordingUpstream.Received::uri)
                    .containsExactlyInAnyOrder("/api/models", "/simple/");
            assertThat(dnsAnswer.connectionsAccepted()).isZero();
            assertThat(dns.queries("central.sluice.test")).isZero();
            assertThat(dns.queries("mirror.sluice.test")).isZero();
        }
    }
}
