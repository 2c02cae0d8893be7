package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request head parsed by {@link RequestHeadParser} from a pooled direct buffer, as the gateway's decoder
 * gets it from a socket: the pipeline benchmark's GET (4 lines), and a vantage6 node's GET (a bearer token and
 * the headers Python's requests sends, 8 lines, about 900 bytes). In the parser's package because the parser is
 * package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestHeadParserBenchmark {

    private static final String SMALL = "GET /api/tasks?limit=10 HTTP/1.1\r\nHost: sluice\r\nUser-Agent: bench\r\n"
            + "Accept: */*\r\n\r\n";
    private static final String VANTAGE6 = "GET /api/run?task_id=4711&include=results HTTP/1.1\r\n"
            + "Host: sluice:8080\r\nUser-Agent: python-requests/2.31.0\r\nAccept-Encoding: gzip, deflate\r\n"
            + "Accept: */*\r\nConnection: keep-alive\r\nAuthorization: Bearer " + "eyJhbGciOiJIUzI1NiJ9.".repeat(32)
            + "\r\nContent-Type: application/json\r\n\r\n";

    @Param({"small", "vantage6"})
    public String head;

    private ByteBuf in;
    private RequestHeadParser parser;
    private int length;

    @Setup(Level.Trial)
    public void prepare() {
        byte[] bytes = (head.equals("small") ? SMALL : VANTAGE6).getBytes(StandardCharsets.US_ASCII);
        in = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        parser = new RequestHeadParser(8192 + 64, 16384);
        RequestHeadParser.Result r = parser.parse(in);
        if (r.head() == null || r.length() != bytes.length) {
            throw new IllegalStateException("the head did not parse whole: " + r);
        }
        length = bytes.length;
    }

    @Benchmark
    public RequestHead parse() {
        RequestHeadParser.Result r = parser.parse(in);
        if (r.length() != length) {
            throw new IllegalStateException("the head did not parse whole");
        }
        return r.head();
    }

    @TearDown(Level.Trial)
    public void release() {
        in.release();
    }
}
