package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.sluice.proxy.task.TaskClaims;

/**
 * The audit line format is a contract and every line is hashed into the chain: the hand-written encoder must write
 * exactly the bytes that Jackson's generator wrote before it ({@link JacksonLineEncoder}, the previous encoder
 * kept as the oracle), for any record, identity, chain position and query setting, checkpoints included.
 */
class AuditLineEncoderEquivalenceProperties {

    private static final KeyPair KEY = SigningKeys.generate();
    private static final String KEY_ID = AuditChain.keyId(KEY.getPublic());
    /** Pieces that escaping and UTF-8 encoding treat differently, mixed with arbitrary chars. */
    private static final List<String> PIECES = List.of("a", "Z", "/", "\"", "\\", "\n", "\r", "\t", "\b", "\f",
            "\u0000", "\u000b", "\u001f", " ", "\u007f", "\u0080", "é", "\u07ff", "\u0800", "漢", "\u2028",
            "\uffff", "\ud83d\ude00", "\ud83d", "\ude00", "\udbff\udfff", "\ud800\udc00", "?", "'", "<");

    @Property(tries = 400)
    void writesTheBytesJacksonWrote(@ForAll("records") List<AuditRecord> records, @ForAll boolean hashQuery,
                                    @ForAll("text") String job, @ForAll("node") String node,
                                    @ForAll("seqs") long startSeq, @ForAll("checkpointAfter") int checkpointAfter)
            throws Exception {
        ChainPosition start = startSeq == 0 ? ChainPosition.start(node)
                : new ChainPosition(startSeq, AuditChain.hash(node.getBytes(StandardCharsets.UTF_8), 0, 0));
        AuditIdentity identity = new AuditIdentity(job, node);
        AuditLineEncoder encoder = new AuditLineEncoder(identity, hashQuery, start);
        JacksonLineEncoder oracle = new JacksonLineEncoder(identity, hashQuery, start);

        for (int i = 0; i < records.size(); i++) {
            encoder.append(records.get(i));
            oracle.append(records.get(i));
            if (i == checkpointAfter) {
                long at = 1_795_000_000_000L + i;
                encoder.appendCheckpoint(at, KEY_ID, KEY.getPrivate());
                oracle.appendCheckpoint(at, KEY_ID, KEY.getPrivate());
            }
        }

        assertThat(text(encoder.batch())).isEqualTo(text(oracle.batch()));
        assertThat(bytes(encoder.batch())).isEqualTo(bytes(oracle.batch()));
        assertThat(encoder.position()).isEqualTo(oracle.position());
        assertThat(encoder.lines()).isEqualTo(oracle.lines());
        assertThat(encoder.records()).isEqualTo(oracle.records());
    }

    /** Whole numbers over the full range, the extremes included: Long.toString is the format. */
    @Property(tries = 1000)
    void numbersAreWrittenAsLongToString(@ForAll long value) {
        JsonBytes out = new JsonBytes(4);
        out.number(value);
        assertThat(new String(out.array(), 0, out.size(), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(value));
    }

    @Provide
    Arbitrary<List<AuditRecord>> records() {
        return record().list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> piece = Arbitraries.oneOf(Arbitraries.of(PIECES), Arbitraries.chars().map(String::valueOf));
        Arbitrary<String> shortText = piece.list().ofMaxSize(40).map(p -> String.join("", p));
        // Long enough to cross the generator's internal segments (about 1,000 chars) at any place.
        Arbitrary<String> longText = piece.list().ofMinSize(500).ofMaxSize(2_500).map(p -> String.join("", p));
        return Arbitraries.frequencyOf(Tuple.of(12, shortText), Tuple.of(1, longText)).injectNull(0.1);
    }

    @Provide
    Arbitrary<String> node() {
        return text().filter(s -> s != null);
    }

    @Provide
    Arbitrary<Long> seqs() {
        return Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, Long.MAX_VALUE - 100));
    }

    @Provide
    Arbitrary<Integer> checkpointAfter() {
        return Arbitraries.integers().between(-1, 6);
    }

    private Arbitrary<AuditRecord> record() {
        Arbitrary<Long> ts = Arbitraries.longs().between(0, 253_402_300_799_999L);
        Arbitrary<List<String>> strings = text().list().ofSize(15);
        Arbitrary<List<Long>> numbers = Arbitraries.longs().list().ofSize(5);
        Arbitrary<List<Integer>> ints = Arbitraries.integers().list().ofSize(2);
        Arbitrary<String> target = Arbitraries.oneOf(text(), text().map(q -> "/api/x?" + q));
        Arbitrary<AuditRecord.Tunnel> tunnel = Combinators.combine(text(), text()).as(AuditRecord.Tunnel::new)
                .injectNull(0.7);
        Arbitrary<TaskClaims> task = Combinators.combine(text(), text(), text(), text(), text())
                .as(TaskClaims::new).injectNull(0.6);
        Arbitrary<Object[]> extras = Combinators.combine(target, tunnel, task, content())
                .as((t, tu, ta, c) -> new Object[] {t, tu, ta, c});
        return Combinators.combine(ts, strings, numbers, ints, extras).as((at, s, n, i, x) -> new AuditRecord(
                at, s.get(0), s.get(1), s.get(2), s.get(3), s.get(4), s.get(5), i.get(0), s.get(6), s.get(7),
                s.get(8), s.get(9), i.get(1), n.get(0), n.get(1), s.get(10), n.get(2), s.get(11), s.get(12),
                s.get(13), (String) x[0], (AuditRecord.Tunnel) x[1], n.get(3), (TaskClaims) x[2],
                (AuditRecord.Content) x[3]));
    }

    private Arbitrary<AuditRecord.Content> content() {
        Arbitrary<Double> entropy = Arbitraries.oneOf(Arbitraries.doubles().between(-1, 16),
                Arbitraries.of(Double.NaN, -1.0, 0.0, 0.005, 0.004999, 7.499999999, 7.5, 8.0, 1e-7));
        Arbitrary<List<String>> layers = text().filter(s -> s != null).list().ofMaxSize(4);
        return Combinators.combine(text(), Arbitraries.integers(), Arbitraries.integers(), entropy,
                        Arbitraries.integers(), layers, Arbitraries.of(true, false))
                .as(AuditRecord.Content::new).injectNull(0.6);
    }

    private static byte[] bytes(ByteBuffer batch) {
        byte[] b = new byte[batch.remaining()];
        batch.get(b);
        return b;
    }

    private static String text(ByteBuffer batch) {
        return new String(bytes(batch), StandardCharsets.UTF_8);
    }
}
