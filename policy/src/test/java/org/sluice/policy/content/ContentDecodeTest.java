package org.sluice.policy.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sluice.policy.content.ContentTesting.base64;
import static org.sluice.policy.content.ContentTesting.content;
import static org.sluice.policy.content.ContentTesting.encoded;
import static org.sluice.policy.content.ContentTesting.gzip;
import static org.sluice.policy.content.ContentTesting.inspect;
import static org.sluice.policy.content.ContentTesting.utf8;
import static org.sluice.policy.content.ContentTesting.zlib;
import static org.sluice.policy.content.ContentTesting.zstd;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Stage (a) and the decode bounds that embedded layers share. */
class ContentDecodeTest {

    private static final byte[] CSV = utf8("id,name\nROW7,ROW7\n" + ContentTesting.SECRET + "\n");

    @Test
    void aGzipBombIsRefusedByDecodeWithoutBeingInflatedWhole() {
        byte[] bomb = gzip(new byte[50 * 1024 * 1024]);
        ContentCheck check = content().protectedData(0, 0).compile();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();

        ContentVerdict verdict = inspect(check, encoded(bomb, "text/csv", "gzip"));

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(verdict.refusedBy()).isEqualTo("decode");
        assertThat(verdict.reason()).contains("maxRatio").contains("100");
        // 50 KB of gzip may inflate to 100 times that (5 MB) before it is stopped: never to 50 MB
        assertThat(allocated).as("bytes allocated").isLessThan(20L * 1024 * 1024);
        assertThat(millis).as("ms").isLessThan(2_000);
    }

    @Test
    void aBombUnderTheRatioIsStoppedByMaxBytes() {
        byte[] bomb = gzip(new byte[2 * 1024 * 1024]);
        ContentVerdict verdict = inspect(content().decode(4, 100_000, 1024 * 1024).compile(),
                encoded(bomb, "text/plain", "gzip"));
        assertThat(verdict.refusedBy()).isEqualTo("decode");
        assertThat(verdict.reason()).contains("maxBytes").contains("1048576");
    }

    @Test
    void justUnderTheRatioPassesAndOneByteOverIsRefused() {
        byte[] zeros = new byte[10_000];
        byte[] packed = zlib(zeros);
        int ratio = (int) Math.ceil(10_000.0 / packed.length);
        ContentVerdict at = inspect(content().decode(4, ratio, 1 << 20).compile(),
                encoded(packed, "application/octet-stream", "deflate"));
        ContentVerdict under = inspect(content().decode(4, ratio - 1, 1 << 20).compile(),
                encoded(packed, "application/octet-stream", "deflate"));
        assertThat(at.passed()).isTrue();
        assertThat(at.layers()).containsExactly("deflate");
        assertThat(under.refusedBy()).isEqualTo("decode");
    }

    @Test
    void maxBytesCountsAtTheByte() {
        byte[] data = utf8("x".repeat(1000));
        byte[] packed = gzip(data);
        assertThat(inspect(content().decode(4, 1000, 1000).compile(), encoded(packed, "text/plain", "gzip"))
                .passed()).isTrue();
        assertThat(inspect(content().decode(4, 1000, 999).compile(), encoded(packed, "text/plain", "gzip"))
                .refusedBy()).isEqualTo("decode");
    }

    @Test
    void gzipThenZstdIsTakenOffOutermostFirstAndScanned() {
        ContentTesting.MarkerScanner scanner = new ContentTesting.MarkerScanner();
        byte[] twice = zstd(gzip(CSV));
        ContentVerdict verdict = inspect(content().protectedData(0, 0).compile(scanner),
                encoded(twice, "text/csv", "gzip, zstd"));
        assertThat(verdict.layers()).startsWith("zstd", "gzip");
        assertThat(verdict.refusedBy()).isEqualTo("protectedData");
        assertThat(verdict.rowsMatched()).isEqualTo(1);
        assertThat(scanner.syntaxes.get(0)).isEqualTo(ProtectedDataScanner.Syntax.CSV);
    }

    @Test
    void rawDeflateXGzipAndIdentityAreTakenOff() {
        byte[] raw = ContentTesting.encode(CSV, out -> new DeflaterOutputStream(out, new Deflater(6, true)));
        ContentCheck check = content().protectedData(0, 0).compile();
        assertThat(inspect(check, encoded(raw, "text/csv", "deflate")).rowsMatched()).isEqualTo(1);
        ContentVerdict xgzip = inspect(check, encoded(gzip(CSV), "text/csv", "identity, X-Gzip"));
        assertThat(xgzip.layers()).containsExactly("gzip");
        assertThat(xgzip.rowsMatched()).isEqualTo(1);
    }

    @Test
    void brotliIsRefusedByName() {
        ContentVerdict verdict = inspect(content().compile(), encoded(utf8("anything"), "text/plain", "br"));
        assertThat(verdict.refusedBy()).isEqualTo("decode");
        assertThat(verdict.reason()).isEqualTo("Content-Encoding 'br' cannot be checked (content.decode)");
    }

    @Test
    void anInventedCodingIsRefusedWithoutBeingRepeated() {
        ContentVerdict verdict = inspect(content().compile(),
                encoded(utf8("anything"), "text/plain", "gzip, " + ContentTesting.SECRET));
        assertThat(verdict.refusedBy()).isEqualTo("decode");
        assertThat(verdict.reason()).contains("gzip, deflate, zstd or identity");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "deflate", "zstd"})
    void bytesThatAreNotTheDeclaredCodingAreRefused(String coding) {
        ContentVerdict verdict = inspect(content().compile(), encoded(CSV, "text/csv", coding));
        assertThat(verdict.refusedBy()).isEqualTo("decode");
        assertThat(verdict.reason()).contains("not well-formed");
    }

    @Test
    void bytesAfterTheGzipStreamAreRefused() {
        byte[] packed = gzip(utf8("{}"));
        byte[] trailing = Arrays.copyOf(packed, packed.length + CSV.length);
        System.arraycopy(CSV, 0, trailing, packed.length, CSV.length);
        assertThat(inspect(content().compile(), encoded(trailing, "application/json", "gzip")).refusedBy())
                .isEqualTo("decode");
    }

    @Test
    void concatenatedGzipMembersAreOneBody() {
        byte[] a = gzip(utf8("first half ROW1 "));
        byte[] b = gzip(utf8("second half ROW2"));
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        assertThat(inspect(content().protectedData(0, 0).compile(), encoded(both, "text/plain", "gzip"))
                .rowsMatched()).isEqualTo(2);
    }

    @Test
    void aCorruptedGzipChecksumIsRefused() {
        byte[] packed = gzip(CSV);
        packed[packed.length - 6] ^= 1;
        assertThat(inspect(content().compile(), encoded(packed, "text/csv", "gzip")).refusedBy())
                .isEqualTo("decode");
    }

    @Test
    void moreCodingsThanMaxLayersAreRefusedBeforeDecoding() {
        byte[] three = gzip(gzip(gzip(CSV)));
        assertThat(inspect(content().decode(3, 100, 1 << 20).compile(),
                encoded(three, "text/csv", "gzip, gzip, gzip")).passed()).isTrue();
        ContentVerdict verdict = inspect(content().decode(2, 100, 1 << 20).compile(),
                encoded(three, "text/csv", "gzip, gzip, gzip"));
        assertThat(verdict.refusedBy()).isEqualTo("decode");
        assertThat(verdict.reason()).contains("more than 2 layers").contains("maxLayers");
    }

    @Test
    void embeddedNestingBeyondMaxLayersIsRefused() {
        // base64(base64(base64(text))): three layers
        String inner = "the row ROW5 in plain words, long enough to be kept";
        String once = base64(utf8(inner));
        String twice = base64(utf8(once));
        String thrice = base64(utf8(twice));
        byte[] body = utf8("{\"weights\":\"" + thrice + "\"}");
        ContentVerdict three = inspect(content().protectedData(0, 0).decode(3, 100, 1 << 20).compile(),
                body(body));
        assertThat(three.refusedBy()).isEqualTo("protectedData");
        assertThat(three.layers()).contains("base64>base64>base64");
        ContentVerdict two = inspect(content().protectedData(0, 0).decode(2, 100, 1 << 20).compile(), body(body));
        assertThat(two.refusedBy()).isEqualTo("decode");
        assertThat(two.reason()).contains("maxLayers");
    }

    @Test
    void contentEncodingLayersCountTowardsEmbeddedDepth() {
        byte[] body = gzip(utf8("{\"w\":\"" + base64(utf8("ROW3 is the row in this long piece")) + "\"}"));
        assertThat(inspect(content().protectedData(0, 0).decode(2, 100, 1 << 20).compile(),
                encoded(body, "application/json", "gzip")).refusedBy()).isEqualTo("protectedData");
        assertThat(inspect(content().protectedData(0, 0).decode(1, 100, 1 << 20).compile(),
                encoded(body, "application/json", "gzip")).refusedBy()).isEqualTo("decode");
    }

    @Test
    void anEmbeddedBombIsRefusedByDecode() {
        String blob = base64(gzip(new byte[8 * 1024 * 1024]));
        ContentVerdict verdict = inspect(content().protectedData(0, 0).compile(),
                body(utf8("{\"model\":\"" + blob + "\"}")));
        assertThat(verdict.refusedBy()).isEqualTo("decode");
        assertThat(verdict.reason()).contains("maxRatio");
    }

    @Test
    void anEmptyBodyWithACodingIsNothingToDecode() {
        ContentVerdict verdict = inspect(content().compile(), encoded(new byte[0], null, "br"));
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.layers()).isEmpty();
    }

    private static ContentInput body(byte[] json) {
        return ContentInput.body(json, "application/json");
    }
}
