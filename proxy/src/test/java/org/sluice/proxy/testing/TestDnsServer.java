package org.sluice.proxy.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process DNS server on 127.0.0.1 (UDP, ephemeral port) whose answers a test sets and changes while Sluice
 * resolves. Unknown names get NXDOMAIN; a known name gets an empty NOERROR for a type it has no answer for.
 * Names are compared case-insensitively, with or without the trailing dot.
 */
public final class TestDnsServer implements AutoCloseable {

    private record Answer(int ttlSeconds, List<InetAddress> addresses) {}

    private final Map<String, Map<DnsRecordType, Answer>> answers = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final Set<String> silenced = ConcurrentHashMap.newKeySet();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
    private final MultiThreadIoEventLoopGroup group;
    private final Channel channel;

    private TestDnsServer() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel ch) {
                            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                    new Responder());
                        }
                    })
                    .bind(new InetSocketAddress(NetUtil.LOCALHOST4, 0)).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static TestDnsServer start() {
        try {
            return new TestDnsServer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the test DNS server", e);
        }
    }

    /** 127.0.0.1 and the port the server listens on. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * From now on, A (or AAAA, by the literal's family) questions for name get these addresses with this TTL;
     * replaces earlier answers for name and family. Literals of both families may be mixed.
     */
    public void answer(String name, int ttlSeconds, String... ipLiterals) {
        if (ipLiterals.length == 0) {
            throw new IllegalArgumentException("at least one address");
        }
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        for (String literal : ipLiterals) {
            InetAddress address = NetUtil.createInetAddressFromIpAddressString(literal);
            if (address == null) {
                throw new IllegalArgumentException("not an IP literal: " + literal);
            }
            (address instanceof Inet4Address ? v4 : v6).add(address);
        }
        Map<DnsRecordType, Answer> byType = answers.computeIfAbsent(normal(name), n -> new ConcurrentHashMap<>());
        if (!v4.isEmpty()) {
            byType.put(DnsRecordType.A, new Answer(ttlSeconds, List.copyOf(v4)));
        }
        if (!v6.isEmpty()) {
            byType.put(DnsRecordType.AAAA, new Answer(ttlSeconds, List.copyOf(v6)));
        }
        silenced.remove(normal(name));
    }

    /** Questions for name are answered with a CNAME to target, followed by target's records of the asked type. */
    public void alias(String name, String target) {
        aliases.put(normal(name), normal(target));
    }

    /** Questions for name get SERVFAIL. */
    public void serverFailure(String name) {
        failing.add(normal(name));
    }

    /** Questions for name get an empty NOERROR: the name exists but has no address. */
    public void noRecords(String name) {
        answers.computeIfAbsent(normal(name), n -> new ConcurrentHashMap<>()).clear();
    }

    /** Questions for name get no answer at all (to test the query timeout). */
    public void silence(String name) {
        silenced.add(normal(name));
    }

    /** Questions received for name (all types). */
    public int queries(String name) {
        AtomicInteger count = queries.get(normal(name));
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static String normal(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** Builds the response to one query; the query itself is released by SimpleChannelInboundHandler. */
    private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            if (query.count(DnsSection.QUESTION) != 1) {
                return;
            }
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            String name = normal(question.name());
            queries.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            if (silenced.contains(name)) {
                return;
            }
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            response.setAuthoritativeAnswer(true).setRecursionDesired(query.isRecursionDesired())
                    .setRecursionAvailable(true);
            response.addRecord(DnsSection.QUESTION, question);
            String owner = question.name();
            String target = aliases.get(name);
            if (target != null) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(owner, DnsRecordType.CNAME, 60,
                        encodeName(target)));
                name = target;
                owner = target + ".";
            }
            Map<DnsRecordType, Answer> byType = answers.get(name);
            if (failing.contains(name)) {
                response.setCode(DnsResponseCode.SERVFAIL);
            } else if (byType == null && target == null) {
                response.setCode(DnsResponseCode.NXDOMAIN);
            } else if (byType != null) {
                Answer answer = byType.get(question.type());
                if (answer != null) {
                    for (InetAddress address : answer.addresses()) {
                        response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(owner, question.type(),
                                answer.ttlSeconds(), Unpooled.wrappedBuffer(address.getAddress())));
                    }
                }
            }
            ctx.writeAndFlush(response);
        }
    }

    private static ByteBuf encodeName(String name) {
        ByteBuf buf = Unpooled.buffer();
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            buf.writeByte(bytes.length).writeBytes(bytes);
        }
        return buf.writeByte(0);
    }
}
