package org.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.sluice.policy.Destination;
import org.sluice.policy.Policy;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.proxy.audit.AuditLog;
import org.sluice.proxy.gateway.ExchangeRecorder;
import org.sluice.proxy.gateway.GatewayContext;
import org.sluice.proxy.gateway.GatewayInitializer;
import org.sluice.proxy.metrics.SluiceMetrics;
import org.sluice.proxy.testing.UpstreamStream;
import org.sluice.proxy.upstream.CentralServerUpstream;
import org.sluice.proxy.upstream.Upstream;

/**
 * Jazzer fuzz target for the request path: arbitrary bytes into the gateway's whole pipeline on an EmbeddedChannel,
 * with an in-memory central server that answers every request it receives. Whatever the bytes, nothing may throw out
 * of the pipeline or leak a buffer (leak detection is paranoid in tests), and the bytes the central server receives
 * must parse strictly into requests the policy allows (GET or POST to /api or under it, bodies of at most 64
 * bytes), each answered to the client exactly once: nothing reaches the upstream that Sluice did not decide on. In
 * the build it replays its seeds and findings (src/test/resources/.../RequestPathFuzzTestInputs) and the hostile
 * corpus; with JAZZER_FUZZ=1 it fuzzes, with the dictionary {@code request-path.dict} beside those inputs.
 */
class RequestPathFuzzTest {
    private static final String CONFIG = """
            version: 1
            gateway:
              listen: 127.0.0.1:0
              upstream: http://central.invalid
            audit:
              path: %s
            rules:
              - name: api
                methods: [GET, POST]
                paths: ["/api/**"]
                limits: {maxRequestBodyBytes: 64}
            """;
    private static final int MAX_BODY = 64;
    /**
     * Marks the central server's answers among what the client gets: a header line of its own. Sluice's error
     * messages quote parts of the request, and the fuzzer learns any marker from the oracle's own comparisons (it did,
     * within a minute, even a random one), so only a whole line counts: Sluice's own answers are JSON, whose
     * strings escape CR and LF, and a quoted marker between raw line ends would be response splitting.
     */
    private static final String MARKER = "X-From-Central: " + UUID.randomUUID();
    private static final String MARKER_LINE = "\r\n" + MARKER + "\r\n";
    private static final String ANSWER = "HTTP/1.1 200 OK" + MARKER_LINE + "Content-Length: 2\r\n\r\nok";
    /** Enough rounds of answer-and-relay for every request an input can hold; each round makes progress or stops. */
    private static final int MAX_ROUNDS = 1000;

    private static final SluiceConfig config;
    private static final AuditLog audit;

    static {
        try {
            Path folder = Files.createTempDirectory("sluice-fuzz-");
            folder.toFile().deleteOnExit();
            Path auditFile = folder.resolve("audit.jsonl");
            auditFile.toFile().deleteOnExit();
            config = ConfigLoader.parse(CONFIG.formatted(auditFile), folder.resolve("sluice.yaml"));
            audit = AuditLog.open(auditFile, 1 << 16);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The dictionary (request lines, header names, Connection tokens, framing values, CRLF) and the seeds with
     * several headers let the fuzzer combine headers: without them it had not found, in over a million inputs, a
     * Connection header naming Content-Length, which its oracle catches at once.
     */
    @FuzzTest(maxDuration = "60s")
    @DictionaryFile(resourcePath = "request-path.dict")
    void anyBytesAreAnsweredWithoutLeaksAndTheUpstreamGetsOnlyAllowedRequests(byte[] input) {
        check(input);
    }

    @TestFactory
    Stream<DynamicTest> theHostileCorpusThroughTheSameHarness() throws IOException {
        return HostileCorpus.load().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c.raw())));
    }

    /** Runs {@code input} through the gateway pipeline and the oracle (shared with HeaderCombinationFuzzTest). */
    static void check(byte[] input) {
        CentralServer central = new CentralServer();
        SluiceMetrics metrics = new SluiceMetrics();
        GatewayContext gateway = new GatewayContext(new AtomicReference<>(Policy.compile(config)), config.limits(),
                config.gateway().timeouts(), central, audit, new ExchangeRecorder(audit, metrics),
                new AtomicInteger(), new AtomicBoolean());
        EmbeddedChannel client = new EmbeddedChannel(new GatewayInitializer(gateway, metrics,
                new DefaultChannelGroup("fuzz", GlobalEventExecutor.INSTANCE)));
        StringBuilder answered = new StringBuilder();
        int forwarded;
        try {
            client.writeInbound(Unpooled.wrappedBuffer(input));
            for (int round = 0; round < MAX_ROUNDS; round++) {
                client.runPendingTasks();
                drain(client, answered);
                if (!central.answerWhatArrived()) {
                    break;
                }
            }
            forwarded = central.checkEverythingReceived();
        } finally {
            client.finishAndReleaseAll();
            central.close();
        }
        if (!answered.isEmpty()) {
            assertThat(answered.toString()).as("what the client got").startsWith("HTTP/1.1 ");
        }
        assertThat(occurrences(answered, MARKER_LINE)).as("answers from the central server relayed to "
                + "the client vs whole requests it received; the client got:%n%s%nthe central server got:%n%s",
                answered, central).isEqualTo(forwarded);
    }

    private static void drain(EmbeddedChannel channel, StringBuilder into) {
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            try {
                if (out instanceof ByteBuf bytes) {
                    into.append(bytes.toString(StandardCharsets.ISO_8859_1));
                }
            } finally {
                ReferenceCountUtil.release(out);
            }
        }
    }

    private static int occurrences(CharSequence text, String what) {
        int n = 0;
        for (int i = text.toString().indexOf(what); i >= 0; i = text.toString().indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /**
     * An in-memory central server: each connection Sluice asks for is an EmbeddedChannel with Sluice's own upstream
     * handlers, whose written bytes are kept and parsed strictly; every whole request gets {@link #ANSWER}.
     */
    private static final class CentralServer implements Upstream {
        private final List<Connection> connections = new ArrayList<>();

        private static final class Connection {
            final EmbeddedChannel channel = new EmbeddedChannel();
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            int answeredRequests;
        }

        @Override
        public Future<Channel> acquire(EventLoop loop) {
            Connection connection = new Connection();
            CentralServerUpstream.addHttpHandlers(connection.channel.pipeline());
            connections.add(connection);
            return loop.newSucceededFuture(connection.channel);
        }

        @Override
        public void release(Channel channel) {
            CentralServerUpstream.discard(channel); // kept by nobody: detached from the relay, then closed
        }

        @Override
        public Destination destination() {
            return Destination.gateway("http", "central.invalid", 80);
        }

        @Override
        public String authority() {
            return "central.invalid";
        }

        /** Takes what Sluice wrote and answers each new whole request; false when nothing new arrived. */
        boolean answerWhatArrived() {
            boolean progress = false;
            for (Connection connection : List.copyOf(connections)) { // an answer may let Sluice ask for another
                StringBuilder bytes = new StringBuilder();
                drain(connection.channel, bytes);
                connection.received.writeBytes(bytes.toString().getBytes(StandardCharsets.ISO_8859_1));
                List<UpstreamStream.Request> whole = UpstreamStream.parseSoFar(connection.received.toByteArray())
                        .requests();
                while (connection.answeredRequests < whole.size() && connection.channel.isOpen()) {
                    connection.channel.writeInbound(
                            Unpooled.copiedBuffer(ANSWER, StandardCharsets.ISO_8859_1));
                    connection.answeredRequests++;
                    progress = true;
                }
                progress |= !bytes.isEmpty();
            }
            return progress;
        }

        /** Every byte received parses strictly into allowed requests; returns how many whole requests arrived. */
        int checkEverythingReceived() {
            int whole = 0;
            for (Connection connection : connections) {
                UpstreamStream.Received received = UpstreamStream.parseSoFar(connection.received.toByteArray());
                for (UpstreamStream.Request request : received.requests()) {
                    assertThat(request.method()).as("method").isIn("GET", "POST");
                    String path = request.target().split("\\?", 2)[0];
                    assertThat(path).as("path of %s (/api/** matches /api too)", request.target())
                            .matches("/api(/.*)?").doesNotContain("/../", "//");
                    assertThat(request.bodyLength()).as("body of %s", request.target()).isLessThanOrEqualTo(MAX_BODY);
                    assertThat(request.headers()).as("headers of %s", request.target())
                            .containsKey("x-sluice-request-id").doesNotContainKeys("transfer-encoding", "upgrade");
                }
                whole += received.requests().size();
            }
            return whole;
        }

        void close() {
            connections.forEach(connection -> connection.channel.finishAndReleaseAll());
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            for (Connection connection : connections) {
                text.append("-- connection (").append(connection.answeredRequests).append(" answered)\n")
                        .append(connection.received.toString(StandardCharsets.ISO_8859_1));
            }
            return text.toString();
        }
    }
}
