package org.sluice.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.UpstreamConfig;

/** What every upstream TLS engine is set up with, whatever the JDK's defaults are. */
class UpstreamSslContextTest {

    @Test
    void onlyTls13And12AreEnabledAndTheHostNameIsVerified() throws Exception {
        for (UpstreamConfig config : List.of(new UpstreamConfig("https", "central.example.org", 443, null, 1),
                new UpstreamConfig("https", "central.example.org", 443, null, 1,
                        List.of("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), null, null, List.of(),
                        false))) {
            SslContext context = CentralServerUpstream.sslContext(config);
            SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, "central.example.org", 443);

            assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
            assertThat(engine.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
            assertThat(engine.getUseClientMode()).isTrue();
        }
    }
}
