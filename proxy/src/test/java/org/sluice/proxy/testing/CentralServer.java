package org.sluice.proxy.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.Options;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * WireMock as the central server, on 127.0.0.1 only. Responses are chunked (so Sluice's streaming and its
 * HTTP/1.0 handling are exercised) and never gzipped (so bodies compare byte for byte).
 *
 * <p>Tests register it with {@code @RegisterExtension}: in a static field it starts before the class and stops
 * after it, in an instance field it runs per test. Either way every test starts with an empty request journal
 * and no stubs but one that answers any request with the given fallback response.
 */
public final class CentralServer {

    private CentralServer() {}

    /** WireMock with an HTTP port. */
    public static WireMockExtension http(ResponseDefinitionBuilder fallback) {
        return new Answering(base(), fallback);
    }

    /** WireMock with an HTTP port and an HTTPS port serving the key store's certificate. */
    public static WireMockExtension https(Path keyStore, ResponseDefinitionBuilder fallback) {
        return new Answering(withKeyStore(base(), keyStore), fallback);
    }

    /** A started WireMock with an HTTPS port, outside any test lifecycle: the caller stops it. */
    public static WireMockServer startHttps(Path keyStore) {
        WireMockServer server = new WireMockServer(withKeyStore(base(), keyStore));
        server.start();
        return server;
    }

    /** Same, and the HTTPS port refuses a client without a certificate from a CA in {@code trustStore}. */
    public static WireMockServer startHttpsRequiringClientCert(Path keyStore, Path trustStore) {
        WireMockServer server = new WireMockServer(withKeyStore(base(), keyStore).needClientAuth(true)
                .trustStorePath(trustStore.toString()).trustStoreType("PKCS12")
                .trustStorePassword(TestCa.KEY_STORE_PASSWORD));
        server.start();
        return server;
    }

    public static String httpUrl(WireMockExtension server) {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** The HTTPS URL with the given host name, which must be one the certificate names and that resolves locally. */
    public static String httpsUrl(WireMockExtension server, String host) {
        return "https://" + host + ":" + server.getHttpsPort();
    }

    /** Every request WireMock received, oldest first. */
    public static List<LoggedRequest> received(WireMockExtension server) {
        List<LoggedRequest> requests = new ArrayList<>();
        for (ServeEvent event : server.getAllServeEvents()) {
            requests.add(0, event.getRequest());
        }
        return requests;
    }

    private static WireMockConfiguration base() {
        return options().bindAddress("127.0.0.1").dynamicPort()
                .useChunkedTransferEncoding(Options.ChunkedEncodingPolicy.ALWAYS)
                .gzipDisabled(true)
                .jettyStopTimeout(100L)
                .containerThreads(24);
    }

    private static WireMockConfiguration withKeyStore(WireMockConfiguration configuration, Path keyStore) {
        return configuration.dynamicHttpsPort().keystorePath(keyStore.toString()).keystoreType("PKCS12")
                .keystorePassword(TestCa.KEY_STORE_PASSWORD).keyManagerPassword(TestCa.KEY_STORE_PASSWORD);
    }

    /** The extension with the fallback stub added after its own reset before each test. */
    private static final class Answering extends WireMockExtension {

        private final ResponseDefinitionBuilder fallback;

        Answering(Options options, ResponseDefinitionBuilder fallback) {
            super(extensionOptions().options(options));
            this.fallback = fallback;
        }

        @Override
        protected void onBeforeEach(WireMockRuntimeInfo wireMock) {
            stubFor(any(anyUrl()).willReturn(fallback));
        }
    }
}
