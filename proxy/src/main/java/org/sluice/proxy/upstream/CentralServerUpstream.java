package org.sluice.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.sluice.policy.Destination;
import org.sluice.policy.config.GatewayTimeouts;
import org.sluice.policy.config.UpstreamConfig;
import org.sluice.policy.net.AddressClassifier;
import org.sluice.proxy.Transport;
import org.sluice.proxy.gateway.UpstreamCodec;

/**
 * The central server as seen from Sluice: one bounded keep-alive pool per event loop, so an exchange and its
 * upstream connection always share a thread. TLS verifies the server's name against the JDK trust store or
 * the configured {@code caFile}, optionally pinned to public keys. The name resolves through the given
 * {@link NameResolver} (Sluice's one resolver: the configured servers only, no hosts file unless named, no search
 * domains), asynchronously, never blocking an event loop.
 *
 * <p>Each new connection is resolved first, every resolved address is classified by the policy in force
 * ({@link org.sluice.policy.Policy#addresses()}), and the socket connects to exactly the address that was checked;
 * the bootstrap itself has no resolver, so nothing can resolve the name again in between. If any resolved address
 * is refused (a name that answers with a public and a private address is how DNS rebinding looks), or a literal
 * IP is, the connect fails with {@link UpstreamAddressDeniedException} before any socket is opened.
 */
public final class CentralServerUpstream implements Upstream, AutoCloseable {
    /** Exchanges queued for a free connection beyond maxConnectionsPerLoop, per loop, before refusing. */
    private static final int MAX_PENDING_ACQUIRES = 4096;
    private static final int MAX_RESPONSE_LINE = 8192;
    private static final int MAX_RESPONSE_HEADERS = 64 * 1024;
    private static final int MAX_RESPONSE_CHUNK = 64 * 1024;

    /** Nothing older: TLS 1.0 and 1.1 are deprecated (RFC 8996). */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final UpstreamConfig config;
    /** Computed once: the relay sets it as Host on every request. */
    private final String authority;
    private final Destination destination;
    private final NameResolver resolver;
    private final Map<EventExecutor, LoopPool> pools = new IdentityHashMap<>();
    private final Supplier<AddressClassifier> addresses;
    private final Connector connector;
    /** The upstream host's bytes when it is an IP literal (never resolved); null for a name. */
    private final byte[] literal;
    private final UpstreamCredentials credentials;

    /**
     * @param resolver  resolves the upstream's name (not asked for an IP literal); its owner closes it
     * @param addresses the address classifier of the policy in force, asked on every new connection (so a reload
     *                  applies to the next connection)
     */
    public CentralServerUpstream(UpstreamConfig config, GatewayTimeouts timeouts, EventLoopGroup group,
                                 Transport transport, NameResolver resolver, Supplier<AddressClassifier> addresses)
            throws IOException {
        this(config, timeouts, group, transport, resolver, addresses, Connector.DIRECT);
    }

    CentralServerUpstream(UpstreamConfig config, GatewayTimeouts timeouts, EventLoopGroup group,
                          Transport transport, NameResolver resolver, Supplier<AddressClassifier> addresses,
                          Connector connector) throws IOException {
        this.config = config;
        this.resolver = resolver;
        this.addresses = addresses;
        this.connector = connector;
        this.literal = NetUtil.createByteArrayFromIpAddressString(config.host());
        this.authority = config.authority();
        this.destination = Destination.gateway(config.scheme(), config.host(), config.port());
        SslContext ssl = config.tls() ? sslContext(config) : null;
        this.credentials = new UpstreamCredentials(config.headers(), config.stripClientAuthorization());
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, timeouts.connect().toMillis());
        for (EventExecutor executor : group) {
            Bootstrap bootstrap = new Bootstrap()
                    .group((EventLoop) executor)
                    .channel(transport.socketChannel())
                    .resolver(NoopAddressResolverGroup.INSTANCE) // dials only addresses this class checked
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
                    .option(ChannelOption.TCP_NODELAY, true)
                    // A failed write shuts only the output, so an answer the server sent before it stopped
                    // reading (an early 403 or 413 of its own) can still be read and relayed.
                    .option(ChannelOption.AUTO_CLOSE, false)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (ssl != null) {
                                ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), config.host(), config.port()));
                            }
                            addHttpHandlers(ch.pipeline());
                        }
                    });
            pools.put(executor, new LoopPool((EventLoop) executor, loop -> dial(loop, bootstrap),
                    idle -> AddressCheck.stillAllowed(idle, addresses.get()), config.maxConnectionsPerLoop(),
                    MAX_PENDING_ACQUIRES, connectMillis));
        }
    }

    /** Resolves, checks every address, then connects to the first; completes on loop. */
    private Future<Channel> dial(EventLoop loop, Bootstrap bootstrap) {
        Promise<Channel> dialled = loop.newPromise();
        resolve(loop).addListener((FutureListener<List<InetAddress>>) resolved -> {
            if (!resolved.isSuccess()) {
                dialled.tryFailure(resolved.cause());
                return;
            }
            List<InetAddress> candidates = resolved.getNow();
            if (candidates.isEmpty()) {
                dialled.tryFailure(new UnknownHostException(config.host() + " has no address"));
                return;
            }
            AddressClassifier classifier = addresses.get();
            InetSocketAddress checked;
            try {
                checked = new InetSocketAddress(AddressCheck.choose(candidates, classifier), config.port());
            } catch (UpstreamAddressDeniedException denied) {
                dialled.tryFailure(denied);
                return;
            }
            ChannelFuture connecting = connector.connect(bootstrap, checked);
            connecting.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    AddressCheck.checked(f.channel(), classifier);
                    if (!dialled.trySuccess(f.channel())) {
                        f.channel().close();
                    }
                } else {
                    f.channel().close();
                    dialled.tryFailure(new ConnectFailure("the central server", checked, f.cause()));
                }
            });
        });
        return dialled;
    }


    /** The upstream's addresses: an IP literal as itself, a name through the resolver. Completes on loop. */
    public Future<List<InetAddress>> resolve(EventLoop loop) {
        if (literal != null) {
            try {
                return loop.newSucceededFuture(List.of(InetAddress.getByAddress(literal)));
            } catch (UnknownHostException e) {
                return loop.newFailedFuture(e);
            }
        }
        return resolver.resolve(loop, config.host());
    }

    /** TLS 1.2 and 1.3 only, host name verified, trust from caFile or the JDK, then any pins; mTLS if configured. */
    static SslContext sslContext(UpstreamConfig config) throws IOException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .protocols(PROTOCOLS)
                .endpointIdentificationAlgorithm("HTTPS");
        if (config.pinSha256().isEmpty()) {
            if (config.caFile() != null) {
                builder.trustManager(config.caFile().toFile());
            }
        } else {
            builder.trustManager(new PinningTrustManager(trustManager(config.caFile()), config.pinSha256()));
        }
        if (config.clientCert() != null) {
            builder.keyManager(config.clientCert().toFile(), config.clientKey().toFile());
        }
        return builder.build();
    }

    /** The JDK's PKIX trust manager over the CAs in {@code caFile}, or over the JDK's trust store when null. */
    private static X509ExtendedTrustManager trustManager(Path caFile) throws IOException {
        try {
            KeyStore cas = null;
            if (caFile != null) {
                cas = KeyStore.getInstance(KeyStore.getDefaultType());
                cas.load(null, null);
                try (InputStream in = Files.newInputStream(caFile)) {
                    int i = 0;
                    for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        cas.setCertificateEntry("ca-" + i++, ca);
                    }
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(cas);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return x509;
                }
            }
            throw new IOException("the JDK has no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the CAs in " + caFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Future<Channel> acquire(EventLoop loop) {
        return pools.get(loop).acquire();
    }

    @Override
    public void release(Channel channel) {
        channel.pipeline().get(UpstreamChannelHandler.class).detach();
        pools.get(channel.eventLoop()).release(channel);
    }

    /** Takes a connection away from the exchange and closes it (its state is unknown). */
    public static void discard(Channel channel) {
        UpstreamChannelHandler handler = channel.pipeline().get(UpstreamChannelHandler.class);
        if (handler != null) {
            handler.detach();
        }
        channel.close();
    }

    /** The HTTP codec and the hand-over to the relay, after TLS if any: the end of every upstream pipeline. */
    public static void addHttpHandlers(ChannelPipeline pipeline) {
        pipeline.addLast("http", new UpstreamCodec(MAX_RESPONSE_LINE, MAX_RESPONSE_HEADERS, MAX_RESPONSE_CHUNK));
        pipeline.addLast("relay", new UpstreamChannelHandler());
    }

    /** Routes the connection's events to {@code listener}; true when the connection was reused from the pool. */
    public static boolean attach(Channel channel, UpstreamListener listener) {
        return channel.pipeline().get(UpstreamChannelHandler.class).attach(listener);
    }

    @Override
    public void setCredentials(HttpHeaders headers) {
        credentials.apply(headers);
    }

    @Override
    public boolean injectsHeader(CharSequence name) {
        return credentials.injects(name);
    }

    /** The central server as configured: scheme, host and port. */
    public UpstreamConfig config() {
        return config;
    }

    @Override
    public Destination destination() {
        return destination;
    }

    @Override
    public String authority() {
        return authority;
    }

    @Override
    public void close() {
        pools.forEach((loop, pool) -> {
            if (!loop.isShuttingDown()) {
                loop.execute(pool::close);
            }
        });
        credentials.close();
    }
}
