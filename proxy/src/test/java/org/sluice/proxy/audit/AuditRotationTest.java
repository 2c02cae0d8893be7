package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.config.AuditConfig;
import org.sluice.proxy.testing.AuditChains;
import org.sluice.proxy.testing.Await;

/** Rotation by size and by age: every record exactly once, in one chain across the files. */
class AuditRotationTest {

    private static final Duration FLUSH = Duration.ofSeconds(10);
    private static final AuditIdentity NODE = new AuditIdentity("job-1", "node-r");
    private static final Pattern ROTATED = Pattern.compile("audit-(\\d{8}T\\d{6}Z)-(\\d+)\\.jsonl(\\.gz)?");

    @TempDir
    Path dir;

    private AuditLogBuilder builder(AuditConfig.Rotation rotation) {
        return AuditLog.builder().path(dir.resolve("audit.jsonl")).identity(NODE).rotation(rotation);
    }

    private static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "r" + i).toList();
    }

    /** The rotated files by their first seq, then the active file. */
    private List<Path> filesInChainOrder() throws IOException {
        List<Path> rotated;
        try (Stream<Path> files = Files.list(dir)) {
            rotated = new ArrayList<>(files.filter(f -> ROTATED.matcher(f.getFileName().toString()).matches())
                    .toList());
        }
        rotated.sort((a, b) -> Long.compare(firstSeq(a), firstSeq(b)));
        rotated.add(dir.resolve("audit.jsonl"));
        return rotated;
    }

    private static long firstSeq(Path rotated) {
        Matcher m = ROTATED.matcher(rotated.getFileName().toString());
        assertThat(m.matches()).isTrue();
        return Long.parseLong(m.group(2));
    }

    @Test
    void bySizeEveryRecordIsInExactlyOneFileAndTheChainRunsAcrossThem() throws IOException {
        long maxBytes = 4000;
        try (AuditLog log = builder(new AuditConfig.Rotation(maxBytes, Duration.ofHours(24), false)).open()) {
            for (String id : ids(0, 120)) {
                log.record(Records.withId(id));
                if (id.endsWith("7")) {
                    assertThat(log.flush(FLUSH)).isTrue();
                }
            }
            assertThat(log.flush(FLUSH)).isTrue();
        }

        List<Path> files = filesInChainOrder();
        assertThat(files).hasSizeGreaterThan(10);
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(
                AuditChains.lines(files.toArray(Path[]::new)), "node-r");
        assertThat(chain).extracting(l -> l.get("id")).containsExactlyElementsOf(ids(0, 120));
        for (Path rotated : files.subList(0, files.size() - 1)) {
            List<String> lines = AuditChains.lines(rotated);
            assertThat(AuditChains.assertChain(lines.subList(0, 1), firstSeq(rotated),
                    (String) chain.get((int) firstSeq(rotated) - 1).get("prev"))).hasSize(1);
            long size = Files.size(rotated);
            long withoutLast = size - lines.get(lines.size() - 1).length() - 1;
            assertThat(size).as("%s is rotated once it reaches maxBytes", rotated).isGreaterThanOrEqualTo(maxBytes);
            assertThat(withoutLast).as("%s is rotated as soon as it reaches maxBytes", rotated).isLessThan(maxBytes);
        }
    }

    @Test
    void byAgeANonEmptyFileIsRotatedAfterTheInterval() throws IOException {
        Path active = dir.resolve("audit.jsonl");
        try (AuditLog log = builder(new AuditConfig.Rotation(1L << 30, Duration.ofMillis(300), false)).open()) {
            log.record(Records.withId("first"));
            assertThat(log.flush(FLUSH)).isTrue();
            Await.until("the first file rotated", () -> filesInChainOrderQuietly().size() == 2);
            assertThat(active).isEmptyFile();
            log.record(Records.withId("second"));
            assertThat(log.flush(FLUSH)).isTrue();
        }

        List<Path> files = filesInChainOrder();
        assertThat(files.get(0).getFileName().toString()).endsWith("-1.jsonl");
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(
                AuditChains.lines(files.toArray(Path[]::new)), "node-r");
        assertThat(chain).extracting(l -> l.get("id")).startsWith("first", "second");
    }

    private List<Path> filesInChainOrderQuietly() {
        try {
            return filesInChainOrder();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void withASigningKeyEveryRotatedFileEndsWithACheckpoint() throws IOException {
        var key = SigningKeys.generate();
        try (AuditLog log = builder(new AuditConfig.Rotation(3000, Duration.ofHours(24), false))
                .signing(key.getPrivate(), new AuditConfig.Checkpoints(1_000_000, Duration.ofHours(1))).open()) {
            for (String id : ids(0, 40)) {
                log.record(Records.withId(id));
            }
            assertThat(log.flush(FLUSH)).isTrue();
        }

        List<Path> files = filesInChainOrder();
        assertThat(files).hasSizeGreaterThan(3);
        for (Path file : files) {
            List<String> lines = AuditChains.lines(file);
            if (lines.isEmpty()) {
                continue; // the active file, just after a rotation
            }
            assertThat(lines.get(lines.size() - 1)).as(file.toString()).startsWith("{\"type\":\"checkpoint\"");
        }
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(
                AuditChains.lines(files.toArray(Path[]::new)), "node-r");
        assertThat(chain).filteredOn(l -> l.get("id") != null).extracting(l -> l.get("id"))
                .containsExactlyElementsOf(ids(0, 40));
        AuditCheckpointTest.assertCheckpointsVerify(chain, key.getPublic());
    }

    @Test
    void compressedRotatedFilesAreGzipAndTheChainReadsThroughThem() throws IOException {
        try (AuditLog log = builder(new AuditConfig.Rotation(3000, Duration.ofHours(24), true)).open()) {
            for (String id : ids(0, 60)) {
                log.record(Records.withId(id));
                if (id.endsWith("3")) {
                    assertThat(log.flush(FLUSH)).isTrue();
                }
            }
        } // close waits for the compressions

        List<Path> files = filesInChainOrder();
        assertThat(files).hasSizeGreaterThan(3);
        assertThat(files.subList(0, files.size() - 1)).allMatch(f -> f.toString().endsWith(".jsonl.gz"));
        try (Stream<Path> all = Files.list(dir)) {
            assertThat(all.map(f -> f.getFileName().toString()))
                    .allMatch(name -> name.equals("audit.jsonl") || name.endsWith(".jsonl.gz")
                            || name.equals(".audit.jsonl.lock"));
        }
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(
                AuditChains.lines(files.toArray(Path[]::new)), "node-r");
        assertThat(chain).extracting(l -> l.get("id")).containsExactlyElementsOf(ids(0, 60));
    }

    @Test
    void aRestartAfterARotationContinuesFromTheRotatedFileAndCompressesWhatWasLeftPlain() throws IOException {
        try (AuditLog log = builder(new AuditConfig.Rotation(1500, Duration.ofHours(24), false)).open()) {
            for (String id : ids(0, 4)) {
                log.record(Records.withId(id));
                assertThat(log.flush(FLUSH)).isTrue();
            }
        }
        List<Path> before = filesInChainOrder();
        assertThat(before).hasSizeGreaterThan(1);
        // Make the active file empty, as right after a rotation.
        Path active = dir.resolve("audit.jsonl");
        if (Files.size(active) > 0) {
            Files.move(active, dir.resolve("audit-29990101T000000Z-" + seqOfFirstLine(active) + ".jsonl"));
            Files.createFile(active);
        }

        try (AuditLog log = builder(new AuditConfig.Rotation(1500, Duration.ofHours(24), true)).open()) {
            log.record(Records.withId("after-restart"));
            assertThat(log.flush(FLUSH)).isTrue();
        }

        List<Path> files = filesInChainOrder();
        assertThat(files.subList(0, files.size() - 1)).allMatch(f -> f.toString().endsWith(".gz"));
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(
                AuditChains.lines(files.toArray(Path[]::new)), "node-r");
        assertThat(chain).extracting(l -> l.get("id")).containsExactly("r0", "r1", "r2", "r3", "after-restart");
    }

    @Test
    void aRestartKeepsTheActiveFilesFirstRecordForTheRotatedName() throws IOException {
        AuditConfig.Rotation rotation = new AuditConfig.Rotation(2500, Duration.ofHours(24), false);
        try (AuditLog log = builder(rotation).open()) {
            log.record(Records.withId("first-run")); // Records are stamped 2026-11-23T09:15:02.123Z
        }
        try (AuditLog log = builder(rotation).open()) {
            for (String id : ids(0, 5)) {
                log.record(Records.withId(id));
            }
            assertThat(log.flush(FLUSH)).isTrue();
        }

        List<Path> files = filesInChainOrder();
        assertThat(files.get(0).getFileName().toString()).isEqualTo("audit-20261123T091502Z-1.jsonl");
        assertThat(AuditChains.lines(files.get(0)).get(0)).contains("\"id\":\"first-run\"");
        AuditChains.assertChainFromGenesis(AuditChains.lines(files.toArray(Path[]::new)), "node-r");
    }

    @Test
    void aRestartRightAfterARotationContinuesFromTheCompressedFile() throws IOException {
        AuditConfig.Rotation everyRecord = new AuditConfig.Rotation(1, Duration.ofHours(24), true);
        try (AuditLog log = builder(everyRecord).open()) {
            for (String id : ids(0, 3)) {
                log.record(Records.withId(id));
                assertThat(log.flush(FLUSH)).isTrue();
            }
        }
        assertThat(dir.resolve("audit.jsonl")).isEmptyFile();

        try (AuditLog log = builder(everyRecord).open()) {
            log.record(Records.withId("after-restart"));
        }

        List<Path> files = filesInChainOrder();
        assertThat(files).hasSize(5);
        assertThat(files.subList(0, 4)).allMatch(f -> f.toString().endsWith(".jsonl.gz"));
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(
                AuditChains.lines(files.toArray(Path[]::new)), "node-r");
        assertThat(chain).extracting(l -> l.get("id")).containsExactly("r0", "r1", "r2", "after-restart");
    }

    @Test
    void aRotationThatCannotRenameKeepsAppendingToTheActiveFileAndLosesNothing() throws IOException {
        AuditConfig.Rotation rotation = new AuditConfig.Rotation(1500, Duration.ofHours(24), false);
        try (AuditLog log = builder(rotation).open()) {
            log.record(Records.withId("first-run"));
        }
        Path blocker = Files.createDirectory(dir.resolve("audit-20261123T091502Z-1.jsonl")); // the name it needs

        try (AuditLog log = builder(rotation).open()) {
            for (String id : ids(0, 10)) {
                log.record(Records.withId(id));
                assertThat(log.flush(FLUSH)).isTrue();
            }
            assertThat(log.accepting()).as("a failed rotation is no failed write").isTrue();
            assertThat(log.writeFailures()).isZero();
        }

        assertThat(blocker).isEmptyDirectory();
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(
                AuditChains.lines(dir.resolve("audit.jsonl")), "node-r");
        assertThat(chain).extracting(l -> l.get("id")).containsExactlyElementsOf(
                Stream.concat(Stream.of("first-run"), ids(0, 10).stream()).toList());
    }

    private static long seqOfFirstLine(Path file) {
        return (Long) org.sluice.proxy.testing.JsonLines.object(AuditChains.lines(file).get(0)).get("seq");
    }

    @Test
    void rotatedNamesCarryTheUtcTimeOfTheFirstRecordAndItsSeq() {
        RotatedFiles names = new RotatedFiles(dir.resolve("requests.log.jsonl"));
        assertThat(names.nameFor(java.time.Instant.parse("2026-11-23T09:15:02.999Z").toEpochMilli(), 1001))
                .isEqualTo(dir.resolve("requests.log-20261123T091502Z-1001.jsonl"));
        assertThat(new RotatedFiles(dir.resolve("audit")).nameFor(0, 1)).isEqualTo(dir.resolve("audit-19700101T000000Z-1"));
    }

    @Test
    void theNewestRotatedFileIsByTimeThenSeqAsANumberAndAPlainTwinWins() throws IOException {
        for (String name : List.of("audit-20260101T000000Z-999.jsonl", "audit-20260101T000000Z-1000.jsonl.gz",
                "audit-20260101T000000Z-1000.jsonl", "audit-20251231T235959Z-5000.jsonl.gz",
                "audit-20260101T000000Z-7.jsonl.gz.tmp", "other-20270101T000000Z-1.jsonl")) {
            Files.writeString(dir.resolve(name), "x\n");
        }
        RotatedFiles names = new RotatedFiles(dir.resolve("audit.jsonl"));

        assertThat(names.list()).extracting(p -> p.getFileName().toString()).containsExactly(
                "audit-20251231T235959Z-5000.jsonl.gz", "audit-20260101T000000Z-999.jsonl",
                "audit-20260101T000000Z-1000.jsonl");
        assertThat(names.uncompressed()).extracting(p -> p.getFileName().toString()).containsExactly(
                "audit-20260101T000000Z-999.jsonl", "audit-20260101T000000Z-1000.jsonl");
    }
}
