package org.sluice.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.sluice.policy.Policy;
import org.sluice.policy.config.ConnectionCaps;
import org.sluice.policy.config.DnsConfig;
import org.sluice.policy.config.ForwardConfig;
import org.sluice.policy.config.ForwardTimeouts;
import org.sluice.policy.config.GatewayConfig;
import org.sluice.policy.config.GatewayTimeouts;
import org.sluice.policy.config.ListenAddress;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.proxy.admin.AdminServerInitializer;
import org.sluice.proxy.audit.AuditIdentity;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.budget.BudgetLedger;
import org.sluice.proxy.budget.ContentLedger;
import org.sluice.proxy.dns.CachingResolver;
import org.sluice.proxy.dns.DnsSettings;
import org.sluice.proxy.gateway.DrainEvent;
import org.sluice.proxy.gateway.ForwardRouter;
import org.sluice.proxy.gateway.GatewayRouter;
import org.sluice.proxy.gateway.Tunnels;
import org.sluice.proxy.gateway.ExchangeRecorder;
import org.sluice.proxy.gateway.ConnectionCounts;
import org.sluice.proxy.gateway.GatewayContext;
import org.sluice.proxy.gateway.GatewayInitializer;
import org.sluice.proxy.metrics.SluiceMetrics;
import org.sluice.proxy.reload.PolicyReloader;
import org.sluice.proxy.reload.ReloadOutcome;
import org.sluice.proxy.upstream.CentralServerUpstream;
import org.sluice.proxy.upstream.Connector;
import org.sluice.proxy.upstream.ForwardUpstreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Sluice: its listeners, event loops, upstream pools, audit log and policy reloader, and their orderly
 * shutdown.
 */
public final class SluiceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);
    /** Connections the kernel holds for a listener until they are accepted (capped by net.core.somaxconn). */
    static final int BACKLOG = 4096;
    /**
     * Connections a listener accepts each time its loop finds it ready: as many as the backlog holds. The loop that
     * accepts also serves every open connection, all of them before the listener's next turn. At Netty 4.2's default
     * (one accept per turn with epoll, 16 with NIO) a burst of 1,000 new connections, each with its request already
     * sent, waited up to seconds in the backlog while the connections already accepted were served again and again.
     */
    static final int ACCEPTS_PER_WAKEUP = BACKLOG;

    private final SluiceConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final AuditLog audit;
    private final SluiceMetrics metrics;
    /** The gateway's central server; null for a forward-only config. */
    private final CentralServerUpstream upstream;
    /** Resolves the upstream's and the forward listener's names, only as the config says (forward.dns). */
    private final CachingResolver resolver;
    /** The forward listener's dialler; null when the config has no forward section. */
    private final ForwardUpstreams forwardUpstreams;
    private final ConnectionCounts forwardCounts;
    private final AtomicInteger openTunnels = new AtomicInteger();
    /** The policy in force. Each request reads it once; only the reloader replaces it. */
    private final AtomicReference<Policy> policy;
    private final PolicyReloader reloader;
    private final ChannelGroup connections = new DefaultChannelGroup("gateway", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConnectionCounts connectionCounts;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Every listener was bound: only then has Sluice served, and a stop says it flushed what it served. */
    private volatile boolean started;
    private Channel gatewayChannel;
    private Channel forwardChannel;
    private Channel adminChannel;

    /** A listen address another socket already holds; the message names it and its config key. */
    public static final class PortInUseException extends IOException {
        PortInUseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private SluiceServer(SluiceConfig config, AuditLog audit, SluiceMetrics metrics, Connector forwardConnector)
            throws IOException {
        this.config = config;
        this.audit = audit;
        this.metrics = metrics;
        this.policy = new AtomicReference<>(Policy.compile(config));
        GatewayConfig gateway = config.gateway();
        // Without a gateway the counts stay empty: nothing connects to it.
        this.connectionCounts = new ConnectionCounts(gateway == null
                ? new ConnectionCaps(Integer.MAX_VALUE, Integer.MAX_VALUE) : gateway.caps());
        this.transport = Transport.best();
        this.group = transport.newGroup(Runtime.getRuntime().availableProcessors());
        CachingResolver names;
        try {
            names = new CachingResolver(DnsSettings.of(DnsConfig.of(config)), group, transport);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        this.resolver = names;
        try {
            this.upstream = gateway == null ? null : new CentralServerUpstream(gateway.upstream(), gateway.timeouts(),
                    group, transport, names::resolve, () -> policy.get().addresses());
        } catch (IOException | RuntimeException e) {
            names.close();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        ForwardConfig forward = config.forward();
        if (forward == null) {
            this.forwardUpstreams = null;
            this.forwardCounts = null;
        } else {
            this.forwardUpstreams = new ForwardUpstreams(group, transport, names::resolve,
                    () -> policy.get().addresses(), forward.timeouts().connect(), forwardConnector);
            this.forwardCounts = new ConnectionCounts(forward.caps());
            metrics.tunnelsOpen(openTunnels::get);
        }
        this.reloader = new PolicyReloader(config, policy, this::reloaded);
        metrics.policyInForce(policy.get().hash());
    }

    /**
     * Checks that every listen port is free, then opens the audit log (continuing its chain) and binds the
     * listeners; throws before creating any file when a port is taken, and before binding when the audit log cannot
     * be opened or continued.
     */
    public static SluiceServer start(SluiceConfig config) throws IOException, InterruptedException {
        ListenPorts.checkFree(config);
        SluiceMetrics metrics = new SluiceMetrics();
        AuditLog audit = AuditLog.builder(config.audit(), System.getenv(), AuditIdentity::localHostName)
                .queueCapacity(AuditLog.DEFAULT_QUEUE_CAPACITY)
                .onWriteFailure(metrics::auditWriteFailure)
                .onDropped(metrics::auditRecordsDropped)
                .open();
        return start(config, audit, metrics, Connector.DIRECT);
    }

    /** Same with a given audit log (tests inject a failing sink). */
    public static SluiceServer start(SluiceConfig config, AuditLog audit) throws IOException, InterruptedException {
        return start(config, audit, new SluiceMetrics(), Connector.DIRECT);
    }

    /**
     * Same, with the forward listener dialling through {@code forwardConnector}: tests pass one that records dial
     * attempts instead of dialling, to prove a refused destination is never dialled.
     */
    public static SluiceServer start(SluiceConfig config, AuditLog audit, Connector forwardConnector)
            throws IOException, InterruptedException {
        return start(config, audit, new SluiceMetrics(), forwardConnector);
    }

    private static SluiceServer start(SluiceConfig config, AuditLog audit, SluiceMetrics metrics,
                                      Connector forwardConnector) throws IOException, InterruptedException {
        SluiceServer server;
        try {
            server = new SluiceServer(config, audit, metrics, forwardConnector);
        } catch (IOException | RuntimeException e) {
            audit.close();
            throw e;
        }
        try {
            server.bind();
            server.started = true;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind() throws IOException, InterruptedException {
        ExchangeRecorder recorder = new ExchangeRecorder(audit, metrics);
        BudgetLedger budgets = new BudgetLedger(); // one ledger: what leaves through either listener counts once
        ContentLedger contents = new ContentLedger(); // the same for protected rows and rare values
        if (config.gateway() != null) {
            GatewayContext gateway = new GatewayContext(GatewayContext.GATEWAY, policy, config.limits(),
                    config.gateway().timeouts(), upstream, new GatewayRouter(upstream), null, audit, recorder,
                    budgets, contents, inFlight, draining);
            gatewayChannel = listen(config.gateway().listen(), new GatewayInitializer(gateway, metrics, connections,
                    connectionCounts));
            log.info("gateway listening on {} ({}), upstream {}://{}", gatewayChannel.localAddress(),
                    transport.name(), upstream.config().scheme(), upstream.authority());
        }
        ForwardConfig forward = config.forward();
        if (forward != null) {
            ForwardTimeouts t = forward.timeouts();
            // The HTTP handlers read the gateway's timeout record; the forward listener fills it with its own values.
            GatewayTimeouts httpTimeouts = new GatewayTimeouts(t.connect(), t.response(), t.idle(),
                    config.shutdownGrace(), t.requestHeader(), t.minBodyRate());
            Tunnels tunnels = new Tunnels(forwardUpstreams, forward.maxTunnels(), openTunnels, t.clientHello(),
                    t.tunnelIdle());
            GatewayContext forwardContext = new GatewayContext(GatewayContext.FORWARD, policy, config.limits(),
                    httpTimeouts, null, new ForwardRouter(forwardUpstreams), tunnels, audit, recorder, budgets,
                    contents, inFlight, draining);
            forwardChannel = listen(forward.listen(), new GatewayInitializer(forwardContext, metrics, connections,
                    forwardCounts));
            log.info("forward proxy listening on {} ({})", forwardChannel.localAddress(), transport.name());
        }
        if (config.admin() != null) {
            adminChannel = listen(config.admin().listen(),
                    new AdminServerInitializer(metrics, this::notReady, policy::get));
            log.info("admin listening on {}", adminChannel.localAddress());
        }
    }

    private void reloaded(ReloadOutcome outcome) {
        if (outcome.result() == ReloadOutcome.Result.UNCHANGED) {
            return;
        }
        metrics.policyReloaded(outcome.result().label());
        if (outcome.result() == ReloadOutcome.Result.OK) {
            metrics.policyInForce(outcome.inForce().hash());
        }
    }

    /** The socket address a listener binds; throws when its host name does not resolve. */
    static InetSocketAddress socketAddress(ListenAddress address) throws IOException {
        InetSocketAddress socketAddress = new InetSocketAddress(address.host(), address.port());
        if (socketAddress.isUnresolved()) {
            throw new IOException("cannot listen on " + address.host() + ":" + address.port()
                    + ": the host name does not resolve to an address of this machine");
        }
        return socketAddress;
    }

    private Channel listen(ListenAddress address, ChannelInitializer<? extends Channel> initializer)
            throws IOException, InterruptedException {
        InetSocketAddress socketAddress = socketAddress(address);
        var bound = listener(group, transport, socketAddress.getAddress(), initializer).bind(socketAddress).await();
        if (!bound.isSuccess()) {
            throw new IOException("cannot listen on " + address.host() + ":" + address.port() + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
    }

    /** How every listener (gateway, forward, admin) accepts its connections; the caller binds it. */
    static ServerBootstrap listener(EventLoopGroup group, Transport transport, InetAddress bindAddress,
                                    ChannelHandler initializer) {
        return new ServerBootstrap()
                .group(group)
                .channelFactory(transport.serverChannelFor(bindAddress))
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.RCVBUF_ALLOCATOR, acceptsPerWakeup())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
    }

    /** Accepts until the backlog is empty (the accept call says so), at most {@link #ACCEPTS_PER_WAKEUP}. */
    private static ServerChannelRecvByteBufAllocator acceptsPerWakeup() {
        ServerChannelRecvByteBufAllocator accepts = new ServerChannelRecvByteBufAllocator();
        accepts.maxMessagesPerRead(ACCEPTS_PER_WAKEUP);
        // Otherwise epoll's guess whether more is waiting, made for reads of bytes, stops after one accept.
        accepts.respectMaybeMoreData(false);
        return accepts;
    }

    private List<String> notReady() {
        List<String> reasons = new ArrayList<>(3);
        if (draining.get()) {
            reasons.add("shutting down");
        }
        if (config.gateway() != null && (gatewayChannel == null || !gatewayChannel.isActive())) {
            reasons.add("gateway listener is not bound");
        }
        if (config.forward() != null && (forwardChannel == null || !forwardChannel.isActive())) {
            reasons.add("forward listener is not bound");
        }
        if (!audit.accepting()) {
            reasons.add("audit log is not accepting records");
        }
        return reasons;
    }

    /** The gateway upstream's addresses as the next connection would resolve them (an IP literal as itself). */
    public Future<List<InetAddress>> resolveUpstream() {
        return upstream.resolve(group.next());
    }

    /** The gateway's address; null for a forward-only config. */
    public InetSocketAddress gatewayAddress() {
        return gatewayChannel == null ? null : (InetSocketAddress) gatewayChannel.localAddress();
    }

    /** The forward listener's address; null when the config has none. */
    public InetSocketAddress forwardAddress() {
        return forwardChannel == null ? null : (InetSocketAddress) forwardChannel.localAddress();
    }

    /** CONNECT tunnels open now. */
    public int openTunnels() {
        return openTunnels.get();
    }

    public InetSocketAddress adminAddress() {
        return adminChannel == null ? null : (InetSocketAddress) adminChannel.localAddress();
    }

    /** The policy in force now. */
    public Policy policy() {
        return policy.get();
    }

    /**
     * Reloads the policy from the config file, as SIGHUP does, off the event loops. The future completes with
     * what happened once the attempt is over (the new policy is then already in force).
     */
    public CompletableFuture<ReloadOutcome> reloadPolicy(String trigger) {
        return reloader.reload(trigger);
    }

    /**
     * Reloads the policy whenever the config file changes (folder watch, plus a checksum poll every 2 s); returns
     * once the folder is watched.
     */
    public void watchConfig() {
        reloader.watch();
    }

    /** Open gateway client connections, in all and by client address. */
    public ConnectionCounts connectionCounts() {
        return connectionCounts;
    }

    public SluiceMetrics metrics() {
        return metrics;
    }

    public AuditLog auditLog() {
        return audit;
    }

    public String transport() {
        return transport.name();
    }

    /** Stop accepting, let in-flight requests finish within shutdownGrace, then close everything and flush the audit log. */
    public void shutdownGracefully() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        draining.set(true);
        reloader.close();
        if (gatewayChannel != null) {
            gatewayChannel.close().awaitUninterruptibly();
        }
        if (forwardChannel != null) {
            forwardChannel.close().awaitUninterruptibly();
        }
        for (Channel connection : connections) {
            connection.eventLoop().execute(() -> connection.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
        }
        Duration grace = config.shutdownGrace();
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            // Off the event loops: this is the thread that asked for the shutdown.
            waitBriefly();
        }
        if (inFlight.get() > 0) {
            log.warn("{} requests still in flight after the {} ms grace period; closing them", inFlight.get(),
                    grace.toMillis());
        }
        connections.close().awaitUninterruptibly();
        if (adminChannel != null) {
            adminChannel.close().awaitUninterruptibly();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (forwardUpstreams != null) {
            forwardUpstreams.close();
        }
        resolver.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        audit.close();
        if (started) {
            log.info("stopped; audit log flushed");
        } else {
            log.info("start-up abandoned; audit log closed");
        }
    }

    private static void waitBriefly() {
        try {
            TimeUnit.MILLISECONDS.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdownGracefully();
    }
}
