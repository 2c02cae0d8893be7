package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.testing.AuditChains;

/** The chain in the file: from the genesis, across batches and restarts, and after a crash left a torn line. */
class AuditLogChainTest {

    private static final Duration FLUSH = Duration.ofSeconds(10);
    private static final AuditIdentity NODE_A = new AuditIdentity("job-1", "node-a");

    @TempDir
    Path dir;

    private static AuditLog open(Path file, AuditIdentity identity) throws IOException {
        return AuditLog.builder().path(file).identity(identity).queueCapacity(4096).open();
    }

    /** Writes records with these ids in one run of the log, flushing after every {@code perBatch}. */
    private static void run(Path file, AuditIdentity identity, List<String> ids, int perBatch) throws IOException {
        try (AuditLog log = open(file, identity)) {
            for (int i = 0; i < ids.size(); i++) {
                log.record(Records.withId(ids.get(i)));
                if ((i + 1) % perBatch == 0) {
                    assertThat(log.flush(FLUSH)).isTrue();
                }
            }
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(log.dropped()).isZero();
        }
    }

    private static List<String> ids(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    private static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    @Test
    void everyLineLinksToTheOneBeforeFromTheGenesisOfTheNode() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("r", 1500), 97);

        List<Map<String, Object>> lines = AuditChains.assertChainFromGenesis(AuditChains.lines(file), "node-a");
        assertThat(lines).extracting(l -> l.get("id")).containsExactlyElementsOf(ids("r", 1500));
        assertThat(lines).extracting(l -> l.get("job")).containsOnly("job-1");
    }

    @Test
    void aRestartContinuesTheChainWhereTheLastRunLeftIt() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("first-", 3), 1);
        run(file, NODE_A, ids("second-", 2), 10);
        run(file, new AuditIdentity("job-2", "node-a"), ids("third-", 1), 10);

        List<Map<String, Object>> lines = AuditChains.assertChainFromGenesis(AuditChains.lines(file), "node-a");
        assertThat(lines).extracting(l -> l.get("id"))
                .containsExactly("first-0", "first-1", "first-2", "second-0", "second-1", "third-0");
        assertThat(lines.get(5)).containsEntry("job", "job-2").containsEntry("seq", 6L);
    }

    @Test
    void aTornLastLineGetsItsOwnLineAndTheChainGoesOnFromTheLastCompleteOne() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("r", 3), 10);
        String complete = AuditChains.lines(file).get(2);
        byte[] fragment = complete.substring(0, 150).getBytes(StandardCharsets.UTF_8);
        append(file, fragment); // Sluice died in the middle of writing a fourth line

        run(file, NODE_A, List.of("after"), 10);

        List<String> lines = AuditChains.lines(file);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(3)).isEqualTo(new String(fragment, StandardCharsets.UTF_8));
        List<String> records = new ArrayList<>(lines);
        records.remove(3);
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(records, "node-a");
        assertThat(chain.get(3)).containsEntry("id", "after").containsEntry("seq", 4L);
    }

    @Test
    void aCutInsideAMultiByteCharacterIsATornLineToo() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("r", 2), 10);
        byte[] line = Files.readAllBytes(file);
        append(file, "{\"ts\":\"2026-11-23T09:15:02.123Z\",\"id\":\"漢".getBytes(StandardCharsets.UTF_8));
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 1)); // cut the last character's third byte
        assertThat(all.length - 1).isGreaterThan(line.length);

        run(file, NODE_A, List.of("after"), 10);

        List<String> lines = AuditChains.lines(file);
        assertThat(lines).hasSize(4);
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(
                List.of(lines.get(0), lines.get(1), lines.get(3)), "node-a");
        assertThat(chain.get(2)).containsEntry("id", "after");
    }

    @Test
    void twoCrashesInARowStillFindTheLastCompleteLine() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("r", 2), 10);
        append(file, "{\"ts\":\"2026".getBytes(StandardCharsets.UTF_8));
        open(file, NODE_A).close(); // repairs the tail, writes nothing
        append(file, "{\"ts\":\"2026-11-23T09".getBytes(StandardCharsets.UTF_8));

        run(file, NODE_A, List.of("after"), 10);

        List<String> lines = AuditChains.lines(file);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(2)).isEqualTo("{\"ts\":\"2026");
        assertThat(lines.get(3)).isEqualTo("{\"ts\":\"2026-11-23T09");
        AuditChains.assertChainFromGenesis(List.of(lines.get(0), lines.get(1), lines.get(4)), "node-a");
    }

    @Test
    void aWholeLastLineWithoutItsNewlineIsKeptAsTheLastRecord() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("r", 2), 10);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1)); // only the newline was lost

        run(file, NODE_A, List.of("after"), 10);

        AuditChains.assertChainFromGenesis(AuditChains.lines(file), "node-a");
    }

    @Test
    void aLogWrittenBeforeChainsStopsTheStartAndNamesTheFile() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        String old = "{\"ts\":\"2026-01-01T00:00:00.000Z\",\"id\":\"old\",\"listener\":\"gateway\",\"error\":null}\n";
        Files.writeString(file, old);

        assertThatThrownBy(() -> open(file, NODE_A)).isInstanceOf(IOException.class)
                .hasMessageContaining("audit log " + file + ": its last line is not a hash-chained audit record")
                .hasMessageContaining("Move the file out of the folder")
                .hasMessageContaining("\"id\":\"old\"");
        assertThat(Files.readString(file)).isEqualTo(old);
    }

    @Test
    void aLastLineThatWasChangedStopsTheStart() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("r", 2), 10);
        Files.writeString(file, Files.readString(file).replace("\"status\":200", "\"status\":201"));

        assertThatThrownBy(() -> open(file, NODE_A)).isInstanceOf(IOException.class)
                .hasMessageContaining("its hash does not match its content");
    }

    @Test
    void garbageThatIsNotATornLineStopsTheStart() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("r", 1), 10);
        append(file, "not json at all\n".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> open(file, NODE_A)).isInstanceOf(IOException.class)
                .hasMessageContaining("is not a hash-chained audit record");
    }

    @Test
    void withoutAnActiveFileTheChainGoesOnFromTheNewestRotatedFile() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("old", 2), 10);
        Files.move(file, dir.resolve("audit-20260101T000000Z-1.jsonl"));
        run(file, NODE_A, ids("new", 3), 10);
        Files.move(file, dir.resolve("audit-20260102T000000Z-3.jsonl"));
        Files.writeString(dir.resolve("audit-20260101T000000Z-99.jsonl.tmp"), "not ours"); // not a rotated name

        run(file, NODE_A, List.of("newest"), 10);

        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(AuditChains.lines(
                dir.resolve("audit-20260101T000000Z-1.jsonl"), dir.resolve("audit-20260102T000000Z-3.jsonl"), file),
                "node-a");
        assertThat(chain).hasSize(6);
    }

    @Test
    void aRenamedNodeContinuesTheChainOfTheFile() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        run(file, NODE_A, ids("r", 2), 10);

        run(file, new AuditIdentity(null, "node-b"), List.of("b"), 10);

        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(AuditChains.lines(file), "node-a");
        assertThat(chain.get(2)).containsEntry("node", "node-b").containsEntry("job", null);
    }

    @Test
    void aSinkLogStartsWhereItIsTold() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        String hash = "cd".repeat(32);
        try (AuditLog log = AuditLog.builder().sink(sink).identity(NODE_A).chainStart(new ChainPosition(9, hash))
                .open()) {
            log.record(Records.withId("x"));
            assertThat(log.flush(FLUSH)).isTrue();
        }
        String text = new String(sink.bytes(), StandardCharsets.UTF_8);
        AuditChains.assertChain(List.of(text.strip()), 10, hash);
    }
}
