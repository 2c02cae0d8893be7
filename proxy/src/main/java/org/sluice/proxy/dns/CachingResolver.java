package org.sluice.proxy.dns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsErrorCauseException;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.resolver.dns.DnsQueryLifecycleObserver;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.sluice.proxy.Transport;

/**
 * Resolves host names for the forward listener and the gateway's upstream, asynchronously and with one cache whose entries live as long as the
 * answer's TTL clamped to [{@link DnsSettings#minTtl()}, {@link DnsSettings#maxTtl()}]. The caller classifies the
 * addresses it gets and connects to exactly one of them, so a name that is re-pointed (DNS rebinding) can never
 * swap the checked address for another: a TTL-0 answer is not cached at all, and every resolve asks again.
 *
 * <p>Only the configured servers are asked (or the system's, from {@code /etc/resolv.conf}, when none are named),
 * with the name exactly as the policy checked it: no search domains, and no hosts file unless the config names one
 * ({@link HostsFile}), because a container can write its own {@code /etc/hosts} and {@code resolv.conf} search list.
 * {@code localhost} and names under it are 127.0.0.1 without a query, and names under {@code invalid} fail without
 * one (RFC 6761); the address check still applies to 127.0.0.1.
 *
 * <p>Netty's own caches are switched off, so this cache is the only one. One {@link DnsNameResolver} per event loop
 * of the group; every future completes on the loop that asked.
 */
public final class CachingResolver implements AutoCloseable {

    /** Most names cached at once; beyond it Caffeine evicts the least useful. */
    static final int MAX_CACHED_NAMES = 10_000;

    private final DnsSettings settings;
    /** Netty's resolver never reads a hosts file itself: the only one is {@link #hostsFile}, asked before it. */
    private static final HostsFileEntriesResolver NO_HOSTS_FILE = (host, types) -> null;
    private static final List<InetAddress> LOOPBACK = List.of(NetUtil.LOCALHOST4);

    private final HostsFile hostsFile;
    private final Map<EventLoop, DnsNameResolver> resolvers;
    private final Cache<String, Answer> answers;
    private final AtomicLong queriesSent = new AtomicLong();

    /** @throws IOException when the hosts file the settings name cannot be read */
    public CachingResolver(DnsSettings settings, EventLoopGroup group, Transport transport) throws IOException {
        this(settings, group, transport, Ticker.systemTicker(), HostsFile::read);
    }

    /** For tests: a ticker to move time without sleeping, and a reader that records which hosts file it reads. */
    CachingResolver(DnsSettings settings, EventLoopGroup group, Transport transport, Ticker ticker,
                    HostsFile.Reader hostsFiles) throws IOException {
        this.settings = settings;
        this.hostsFile = settings.hostsFile() == null ? HostsFile.NONE : hostsFiles.read(settings.hostsFile());
        this.answers = Caffeine.newBuilder()
                .maximumSize(MAX_CACHED_NAMES)
                .ticker(ticker)
                // Maintenance on the calling loop: no work on the common pool, and deterministic in tests.
                .executor(Runnable::run)
                .expireAfter(Expiry.writing((String host, Answer answer) -> answer.ttl()))
                .build();
        Map<EventLoop, DnsNameResolver> byLoop = new IdentityHashMap<>();
        try {
            for (EventExecutor executor : group) {
                EventLoop loop = (EventLoop) executor;
                byLoop.put(loop, newResolver(loop, transport));
            }
        } catch (RuntimeException e) {
            byLoop.values().forEach(DnsNameResolver::close);
            throw e;
        }
        this.resolvers = Collections.unmodifiableMap(byLoop);
    }

    private DnsNameResolver newResolver(EventLoop loop, Transport transport) {
        DnsServerAddressStreamProvider servers = settings.servers().isEmpty()
                ? DnsServerAddressStreamProviders.platformDefault()
                : new SequentialDnsServerAddressStreamProvider(settings.servers());
        return new DnsNameResolverBuilder(loop)
                .datagramChannelType(transport.datagramChannel())
                .socketChannelType(transport.socketChannel())
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
                // A name is looked up exactly as the policy checked it, never with a search domain appended.
                .searchDomains(List.of())
                .hostsFileEntriesResolver(NO_HOSTS_FILE)
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .queryTimeoutMillis(settings.queryTimeout().toMillis())
                .nameServerProvider(servers)
                .dnsQueryLifecycleObserverFactory(question -> new CountingObserver())
                .build();
    }

    /**
     * The addresses of host (already lower-case normal form, no trailing dot); an IP literal (v4, or v6 without
     * brackets) comes back as itself without any query. IPv4 addresses first, then IPv6. Completes on loop.
     * Fails with {@link UnknownHostException} whose message names the host and why (no such name, no address,
     * timed out after queryTimeout, server failure).
     *
     * @param loop an event loop of the group this resolver was built for
     */
    public Future<List<InetAddress>> resolve(EventLoop loop, String host) {
        DnsNameResolver resolver = resolvers.get(loop);
        if (resolver == null) {
            throw new IllegalArgumentException("event loop " + loop + " is not one of this resolver's group");
        }
        Promise<List<InetAddress>> promise = loop.newPromise();
        InetAddress literal = ipLiteral(host);
        if (literal != null) {
            return promise.setSuccess(List.of(literal));
        }
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return promise.setSuccess(LOOPBACK);
        }
        if (host.equals("invalid") || host.endsWith(".invalid")) {
            return promise.setFailure(unknownHost(host, "no such name (the invalid domain, RFC 6761)", null));
        }
        Answer cached = answers.getIfPresent(host);
        if (cached != null) {
            return promise.setSuccess(cached.addresses());
        }
        if (loop.inEventLoop()) {
            lookUp(resolver, host, promise);
        } else {
            loop.execute(() -> lookUp(resolver, host, promise));
        }
        return promise;
    }

    /** DNS questions sent so far (for tests and metrics). */
    public long queriesSent() {
        return queriesSent.get();
    }

    @Override
    public void close() {
        resolvers.values().forEach(DnsNameResolver::close);
        answers.invalidateAll();
    }

    private static InetAddress ipLiteral(String host) {
        if (NetUtil.isValidIpV4Address(host) || (NetUtil.isValidIpV6Address(host) && !host.startsWith("["))) {
            return NetUtil.createInetAddressFromIpAddressString(host);
        }
        return null;
    }

    /** Runs on the resolver's loop. */
    private void lookUp(DnsNameResolver resolver, String host, Promise<List<InetAddress>> promise) {
        List<InetAddress> fromHostsFile = hostsFile.addresses(host);
        if (!fromHostsFile.isEmpty()) {
            complete(host, new Answer(fromHostsFile, settings.maxTtl()), promise);
            return;
        }
        DnsQuestion v4Question;
        DnsQuestion v6Question;
        try {
            v4Question = new DefaultDnsQuestion(host, DnsRecordType.A);
            v6Question = new DefaultDnsQuestion(host, DnsRecordType.AAAA);
        } catch (IllegalArgumentException e) {
            promise.tryFailure(unknownHost(host, "not a valid DNS name", e));
            return;
        }
        Future<List<DnsRecord>> v4 = resolver.resolveAll(v4Question);
        Future<List<DnsRecord>> v6 = resolver.resolveAll(v6Question);
        // Both listeners run on this loop, one after the other; the second one to run combines.
        int[] pending = {2};
        FutureListener<List<DnsRecord>> whenBothDone = done -> {
            if (--pending[0] == 0) {
                combine(host, v4, v6, promise);
            }
        };
        v4.addListener(whenBothDone);
        v6.addListener(whenBothDone);
    }

    /** Takes ownership of the records of both futures and releases each exactly once. */
    private void combine(String host, Future<List<DnsRecord>> v4, Future<List<DnsRecord>> v6,
                         Promise<List<InetAddress>> promise) {
        List<InetAddress> addresses = new ArrayList<>();
        long ttlSeconds = Math.min(takeAddresses(host, v4, addresses), takeAddresses(host, v6, addresses));
        if (addresses.isEmpty()) {
            promise.tryFailure(unknownHost(host, why(v4.cause(), v6.cause()),
                    v4.cause() != null ? v4.cause() : v6.cause()));
            return;
        }
        complete(host, new Answer(List.copyOf(addresses), settings.clamp(ttlSeconds)), promise);
    }

    /**
     * Adds the addresses in a successful future's records to addresses and releases every record; returns the
     * smallest TTL among the records used, or Long.MAX_VALUE when none was.
     */
    private static long takeAddresses(String host, Future<List<DnsRecord>> future, List<InetAddress> addresses) {
        long ttl = Long.MAX_VALUE;
        if (!future.isSuccess()) {
            return ttl;
        }
        for (DnsRecord record : future.getNow()) {
            try {
                InetAddress address = addressOf(host, record);
                if (address != null) {
                    ttl = Math.min(ttl, record.timeToLive());
                    if (!addresses.contains(address)) {
                        addresses.add(address);
                    }
                }
            } finally {
                ReferenceCountUtil.release(record);
            }
        }
        return ttl;
    }

    private static InetAddress addressOf(String host, DnsRecord record) {
        if (!(record instanceof DnsRawRecord raw)) {
            return null;
        }
        int length = raw.content().readableBytes();
        boolean fits = record.type() == DnsRecordType.A ? length == 4 : record.type() == DnsRecordType.AAAA && length == 16;
        if (!fits) {
            return null;
        }
        byte[] bytes = new byte[length];
        raw.content().getBytes(raw.content().readerIndex(), bytes);
        try {
            return InetAddress.getByAddress(host, bytes);
        } catch (UnknownHostException impossible) {
            return null; // only thrown for a wrong length, checked above
        }
    }

    private void complete(String host, Answer answer, Promise<List<InetAddress>> promise) {
        if (!answer.ttl().isZero()) {
            answers.put(host, answer);
        }
        promise.trySuccess(answer.addresses());
    }

    private String why(Throwable v4, Throwable v6) {
        DnsResponseCode v4Code = responseCode(v4);
        DnsResponseCode v6Code = responseCode(v6);
        if (DnsResponseCode.NXDOMAIN.equals(v4Code) || DnsResponseCode.NXDOMAIN.equals(v6Code)) {
            return "no such name";
        }
        if (timedOut(v4) || timedOut(v6)) {
            return "timed out after " + settings.queryTimeout().toMillis() + " ms";
        }
        if (v4Code != null || v6Code != null) {
            return "server failure (" + (v4Code != null ? v4Code : v6Code) + ")";
        }
        Throwable other = firstNotUnknownHost(v4, v6);
        return other == null ? "no address" : "server failure (" + other + ")";
    }

    private static DnsResponseCode responseCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DnsErrorCauseException error) {
                return error.getCode();
            }
        }
        return null;
    }

    private static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DnsNameResolverTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable firstNotUnknownHost(Throwable v4, Throwable v6) {
        for (Throwable failure : new Throwable[] {v4, v6}) {
            if (failure != null && (!(failure instanceof UnknownHostException) || failure.getCause() != null)) {
                return failure.getCause() != null ? failure.getCause() : failure;
            }
        }
        return null;
    }

    private static UnknownHostException unknownHost(String host, String why, Throwable cause) {
        UnknownHostException failure = new UnknownHostException(host + ": " + why);
        if (cause != null) {
            failure.initCause(cause);
        }
        return failure;
    }

    /** A cached answer: the addresses, IPv4 first, and how long they may be used. */
    record Answer(List<InetAddress> addresses, Duration ttl) {}

    /** Counts every question written to a server, whatever becomes of it. */
    private final class CountingObserver implements DnsQueryLifecycleObserver {
        @Override
        public void queryWritten(InetSocketAddress nameServerAddr, ChannelFuture future) {
            queriesSent.incrementAndGet();
        }

        @Override
        public void queryCancelled(int queriesRemaining) {}

        @Override
        public DnsQueryLifecycleObserver queryRedirected(List<InetSocketAddress> nameServers) {
            return this;
        }

        @Override
        public DnsQueryLifecycleObserver queryCNAMEd(DnsQuestion cnameQuestion) {
            return this;
        }

        @Override
        public DnsQueryLifecycleObserver queryNoAnswer(DnsResponseCode code) {
            return this;
        }

        @Override
        public void queryFailed(Throwable cause) {}

        @Override
        public void querySucceed() {}
    }
}
