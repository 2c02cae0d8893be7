package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.sluice.proxy.gateway.ClientHelloReader.Outcome;
import org.sluice.proxy.gateway.ClientHelloReader.Result;

class ClientHelloReaderTest {

    /** The first record a JDK client sends, with SNI for {@code host}, or none when host is null. */
    static byte[] jdkClientHello(String host) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(host == null ? List.of() : List.of(new SNIHostName(host)));
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    private static Result read(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            Result result = ClientHelloReader.read(in);
            assertThat(in.readerIndex()).as("nothing is consumed").isZero();
            return result;
        } finally {
            in.release();
        }
    }

    @Test
    void readsTheServerNameOfARealClientHello() throws Exception {
        Result result = read(jdkClientHello("mirror.example.org"));
        assertThat(result.outcome()).isEqualTo(Outcome.SERVER_NAME);
        assertThat(result.serverName()).isEqualTo("mirror.example.org");
    }

    @Test
    void aClientHelloWithoutServerNameHasNone() throws Exception {
        assertThat(read(jdkClientHello(null)).outcome()).isEqualTo(Outcome.NO_SERVER_NAME);
    }

    @Test
    void needsTheWholeFirstRecordBeforeDeciding() throws Exception {
        byte[] hello = jdkClientHello("mirror.example.org");
        for (int length = 0; length < hello.length; length++) {
            byte[] prefix = java.util.Arrays.copyOf(hello, length);
            assertThat(read(prefix).outcome()).as("first %d of %d bytes", length, hello.length)
                    .isEqualTo(Outcome.NEED_MORE);
        }
    }

    @Test
    void plainTextIsNotTls() {
        Result result = read("GET / HTTP/1.1\r\nHost: mirror.example.org\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(result.outcome()).isEqualTo(Outcome.NOT_TLS);
        assertThat(read(new byte[] {22, 'G', 'E', 'T', ' '}).outcome()).as("handshake byte, then text")
                .isEqualTo(Outcome.NOT_TLS);
    }

    @Test
    void recordLengthsOutsideTlsAreMalformed() {
        assertThat(read(new byte[] {22, 3, 1, 0, 0}).outcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(read(new byte[] {22, 3, 1, (byte) 0x40, 1}).outcome()).as("16,385 bytes")
                .isEqualTo(Outcome.MALFORMED);
    }

    @Test
    void aClientHelloSplitOverTwoRecordsIsRefused() throws Exception {
        byte[] hello = jdkClientHello("mirror.example.org");
        // Shorten the first record so that the ClientHello it announces runs past it.
        int recordLength = ((hello[3] & 0xff) << 8 | (hello[4] & 0xff)) - 10;
        byte[] cut = java.util.Arrays.copyOf(hello, 5 + recordLength);
        cut[3] = (byte) (recordLength >> 8);
        cut[4] = (byte) recordLength;
        Result result = read(cut);
        assertThat(result.outcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(result.problem()).contains("second TLS record");
    }

    @Test
    void aHandshakeThatIsNotAClientHelloIsMalformed() {
        byte[] serverHello = hello(2, extensions(serverName("mirror.example.org")));
        assertThat(read(serverHello).outcome()).isEqualTo(Outcome.MALFORMED);
    }

    @Test
    void syntheticHelloIsReadLikeARealOne() {
        Result result = read(hello(1, extensions(serverName("Mirror.Example.org."))));
        assertThat(result.outcome()).isEqualTo(Outcome.SERVER_NAME);
        assertThat(result.serverName()).as("as sent; the caller normalises").isEqualTo("Mirror.Example.org.");
        assertThat(read(hello(1, null)).outcome()).as("no extensions at all").isEqualTo(Outcome.NO_SERVER_NAME);
    }

    @Test
    void twoServerNameExtensionsAreRefused() {
        Result result = read(hello(1, extensions(serverName("mirror.example.org"), serverName("evil.example"))));
        assertThat(result.outcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(result.problem()).contains("two server_name");
    }

    @Test
    void twoHostNamesInOneExtensionAreRefused() {
        byte[] a = "mirror.example.org".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "evil.example".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        list.write(0);
        u16(list, a.length);
        list.writeBytes(a);
        list.write(0);
        u16(list, b.length);
        list.writeBytes(b);
        assertThat(read(hello(1, extensions(extension(0, withLength16(list.toByteArray()))))).outcome())
                .isEqualTo(Outcome.MALFORMED);
    }

    @Test
    void aServerNameWithControlBytesIsRefused() {
        assertThat(read(hello(1, extensions(serverName("mirror.example.org\u0000.evil")))).outcome())
                .isEqualTo(Outcome.MALFORMED);
        assertThat(read(hello(1, extensions(serverName("mirror example")))).outcome()).isEqualTo(Outcome.MALFORMED);
    }

    @Test
    void anEncryptedClientHelloIsRefused() {
        Result ech = read(hello(1, extensions(serverName("mirror.example.org"), extension(0xfe0d, new byte[8]))));
        assertThat(ech.outcome()).isEqualTo(Outcome.ENCRYPTED);
        Result esni = read(hello(1, extensions(extension(0xffce, new byte[4]), serverName("mirror.example.org"))));
        assertThat(esni.outcome()).isEqualTo(Outcome.ENCRYPTED);
    }

    @Test
    void lengthsThatRunPastTheirStructureAreMalformed() {
        byte[] good = hello(1, extensions(serverName("mirror.example.org")));
        // The last extension claims more bytes than the ClientHello has.
        byte[] bad = good.clone();
        int extensionLengthAt = bad.length - "mirror.example.org".length() - 5 - 2;
        bad[extensionLengthAt] = (byte) 0x7f;
        assertThat(read(bad).outcome()).isEqualTo(Outcome.MALFORMED);
    }

    /** Whatever the bytes, the reader answers without throwing, and a name it reports is printable ASCII. */
    @Property(tries = 2000)
    void neverThrowsOnArbitraryBytes(@ForAll @Size(max = 300) byte[] tail, @ForAll boolean tlsHeader) {
        byte[] bytes = tail;
        if (tlsHeader) {
            bytes = new byte[tail.length + 5];
            bytes[0] = 22;
            bytes[1] = 3;
            bytes[2] = 1;
            bytes[3] = (byte) (tail.length >> 8);
            bytes[4] = (byte) tail.length;
            System.arraycopy(tail, 0, bytes, 5, tail.length);
        }
        Result result = read(bytes);
        if (result.outcome() == Outcome.SERVER_NAME) {
            assertThat(result.serverName()).matches("[\\x21-\\x7e]{1,255}");
        }
    }

    @Property(tries = 300)
    void everyByteFlipOfARealHelloIsAnsweredWithoutThrowing(@ForAll("positions") int position, @ForAll byte value)
            throws Exception {
        byte[] hello = jdkClientHello("mirror.example.org");
        hello[position % hello.length] = value;
        Result result = read(hello);
        assertThat(result).isNotNull();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> positions() {
        return net.jqwik.api.Arbitraries.integers().between(0, 4096);
    }

    // ---- building ClientHellos byte by byte

    private static byte[] hello(int handshakeType, byte[] extensions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, 0x0303);
        body.writeBytes(new byte[32]); // random
        body.write(0); // session id
        u16(body, 2);
        u16(body, 0x1301); // one cipher suite
        body.write(1);
        body.write(0); // null compression
        if (extensions != null) {
            body.writeBytes(withLength16(extensions));
        }
        byte[] b = body.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(22);
        u16(record, 0x0301);
        u16(record, b.length + 4);
        record.write(handshakeType);
        record.write(b.length >> 16);
        u16(record, b.length & 0xffff);
        record.writeBytes(b);
        return record.toByteArray();
    }

    private static byte[] extensions(byte[]... each) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] e : each) {
            all.writeBytes(e);
        }
        return all.toByteArray();
    }

    private static byte[] serverName(String name) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        list.write(0);
        u16(list, n.length);
        list.writeBytes(n);
        return extension(0, withLength16(list.toByteArray()));
    }

    private static byte[] extension(int type, byte[] data) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        u16(e, type);
        e.writeBytes(withLength16(data));
        return e.toByteArray();
    }

    private static byte[] withLength16(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, data.length);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value & 0xff);
    }
}
