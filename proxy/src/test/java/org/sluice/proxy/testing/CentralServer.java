package org.sluice.proxy.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.Options;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * WireMock as the central server, on 127.0.0.1 only. Responses are chunked (so Sluice's streaming and its
 * HTTP/1.0 handling are exercised) and never gzipped (so bodies compare byte for byte).
 */
public final class CentralServer {

    private CentralServer() {}

    /** A started WireMock with an HTTP port. */
    public static WireMockServer startHttp() {
        return start(base());
    }

    /** A started WireMock with an HTTP port and an HTTPS port serving the key store's certificate. */
    public static WireMockServer startHttps(java.nio.file.Path keyStore) {
        return start(base().dynamicHttpsPort().keystorePath(keyStore.toString()).keystoreType("PKCS12")
                .keystorePassword(TestCa.KEY_STORE_PASSWORD).keyManagerPassword(TestCa.KEY_STORE_PASSWORD));
    }

    public static String httpUrl(WireMockServer server) {
        return "http://127.0.0.1:" + server.port();
    }

    /** The HTTPS URL with the given host name, which must be one the certificate names and that resolves locally. */
    public static String httpsUrl(WireMockServer server, String host) {
        return "https://" + host + ":" + server.httpsPort();
    }

    /** Every request WireMock received, oldest first. */
    public static List<LoggedRequest> received(WireMockServer server) {
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

    private static WireMockServer start(WireMockConfiguration configuration) {
        WireMockServer server = new WireMockServer(configuration);
        server.start();
        return server;
    }
}
