package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.config.AuditConfig;
import org.sluice.proxy.testing.Await;

class AuditLogTest {

    private static final Duration FLUSH = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static List<String> written(ScriptedSink sink) {
        try {
            return sink.ids();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "r" + i).toList();
    }

    @Test
    void writesEveryRecordInOrderAsOneJsonObjectPerLine() throws IOException {
        Path file = dir.resolve("a/b/audit.jsonl");
        try (AuditLog log = AuditLog.open(file, 4096)) {
            for (String id : ids(0, 2000)) {
                log.record(Records.withId(id));
            }
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(log.dropped()).isZero();
        }

        List<Map<String, Object>> lines = JsonLines.parse(Files.readAllBytes(file));
        assertThat(lines).extracting(l -> l.get("id")).containsExactlyElementsOf(ids(0, 2000));
        for (Map<String, Object> line : lines) {
            assertThat(new ArrayList<>(line.keySet())).containsExactlyElementsOf(JsonLines.CONTRACT_FIELDS);
        }
    }

    @Test
    void reopeningAppendsToWhatIsAlreadyThere() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(file, 16)) {
            log.record(Records.withId("first-run"));
        }
        try (AuditLog log = AuditLog.open(file, 16)) {
            log.record(Records.withId("second-run"));
        }

        assertThat(JsonLines.parse(Files.readAllBytes(file))).extracting(l -> l.get("id"))
                .containsExactly("first-run", "second-run");
    }

    @Test
    void openFailsWhenTheFileCannotBeCreated() throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("plain-file"), "x");
        assertThatThrownBy(() -> AuditLog.open(notAFolder.resolve("audit.jsonl"), 16)).isInstanceOf(IOException.class);
    }

    @Test
    void rejectsANonPositiveQueueCapacity() {
        assertThatThrownBy(() -> AuditLog.to(new ScriptedSink(), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesOnADaemonThreadNamedForIt() {
        ScriptedSink sink = new ScriptedSink();
        try (AuditLog log = AuditLog.to(sink, 16)) {
            log.record(Records.withId("x"));
            assertThat(log.flush(FLUSH)).isTrue();
        }
        assertThat(sink.lastWriter.getName()).isEqualTo("sluice-audit-writer");
        assertThat(sink.lastWriter.isDaemon()).isTrue();
    }

    @Test
    void aFailingSinkStopsAcceptingKeepsTheBatchAndWritesItInOrderWhenItHeals() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        AtomicInteger hook = new AtomicInteger();
        sink.failure = ScriptedSink.Failure.IO;
        try (AuditLog log = AuditLog.to(sink, 64, hook::incrementAndGet)) {
            assertThat(log.accepting()).isTrue();
            for (String id : ids(0, 3)) {
                log.record(Records.withId(id));
            }
            Await.until("two failed attempts", () -> log.writeFailures() >= 2);
            assertThat(log.accepting()).isFalse();
            assertThat(sink.bytes()).isEmpty();
            // Records arriving during the outage queue up behind the kept batch.
            for (String id : ids(3, 6)) {
                log.record(Records.withId(id));
            }
            assertThat(log.flush(Duration.ofMillis(100))).isFalse();

            sink.failure = ScriptedSink.Failure.NONE;
            Await.until("accepting again", log::accepting);
            assertThat(log.flush(FLUSH)).isTrue();

            assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 6));
            assertThat(log.dropped()).isZero();
            assertThat(hook.get()).isEqualTo(log.writeFailures());
            assertThat(log.accepting()).isTrue();
        }
    }

    @Test
    void aSinkThrowingAnUncheckedExceptionIsAFailedWriteNotADeadWriter() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        sink.failure = ScriptedSink.Failure.RUNTIME;
        try (AuditLog log = AuditLog.to(sink, 64)) {
            log.record(Records.withId("a"));
            Await.until("a failed attempt", () -> log.writeFailures() >= 1);
            assertThat(log.accepting()).isFalse();

            sink.failure = ScriptedSink.Failure.NONE;
            log.record(Records.withId("b"));
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(sink.ids()).containsExactly("a", "b");
            assertThat(log.accepting()).isTrue();
        }
    }

    @Test
    void retriesBackOffFromFiftyMillisecondsDoubling() {
        ScriptedSink sink = new ScriptedSink();
        sink.failure = ScriptedSink.Failure.IO;
        try (AuditLog log = AuditLog.to(sink, 16)) {
            log.record(Records.withId("a"));
            Await.until("four attempts", () -> sink.writeAttempts.get() >= 4);
            sink.failure = ScriptedSink.Failure.NONE;
        }
        List<Long> t = sink.attemptNanos();
        // Lower bounds only: a loaded machine may wait longer, never shorter.
        assertThat(t.get(1) - t.get(0)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(t.get(2) - t.get(1)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(t.get(3) - t.get(2)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void aRecordAloneWakesAnIdleWriterWithoutAFlush() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        // fsync never: no timed duty, so an idle writer parks until someone wakes it
        try (AuditLog log = AuditLog.builder().sink(sink).queueCapacity(16)
                .fsync(AuditConfig.Fsync.NEVER, Duration.ofSeconds(1)).open()) {
            for (String id : ids(0, 3)) {
                Await.until("the writer parked idle", log::writerIdle);
                log.record(Records.withId(id)); // flush() would wake the writer itself: not used here
                Await.until(id + " written", () -> written(sink).contains(id));
            }
            assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 3));
        }
    }

    @Test
    void theBoundIsTheConfiguredCapacityNotThePowerOfTwoTheQueueRoundsItTo() throws IOException, InterruptedException {
        ScriptedSink sink = new ScriptedSink();
        CountDownLatch gate = new CountDownLatch(1);
        sink.gate = gate;
        try (AuditLog log = AuditLog.to(sink, 3)) {
            log.record(Records.withId("r0"));
            assertThat(sink.entered.await(10, TimeUnit.SECONDS)).as("writer took r0").isTrue();
            for (String id : ids(1, 4)) {
                log.record(Records.withId(id));
            }
            assertThat(log.queued()).isEqualTo(3);
            assertThat(log.accepting()).as("three queued: no room left").isFalse();
            log.record(Records.withId("over-1")); // the array behind the queue has a fourth slot; the bound is 3
            assertThat(log.dropped()).isEqualTo(1);

            sink.gate = null;
            gate.countDown();
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 4));
            assertThat(log.accepting()).isTrue();
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        CountDownLatch gate = new CountDownLatch(1);
        sink.gate = gate;
        try (AuditLog log = AuditLog.to(sink, 4)) {
            log.record(Records.withId("r0"));
            try {
                assertThat(sink.entered.await(10, TimeUnit.SECONDS)).as("writer took r0").isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            for (String id : ids(1, 5)) {
                log.record(Records.withId(id));
            }
            assertThat(log.accepting()).as("no room left").isFalse();
            log.record(Records.withId("over-1"));   // returns at once although the sink is blocked
            log.record(Records.withId("over-2"));
            assertThat(log.dropped()).isEqualTo(2);

            sink.gate = null;
            gate.countDown();
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 5));
            assertThat(log.dropped()).isEqualTo(2);
            assertThat(log.accepting()).isTrue();
        }
    }

    @Test
    void flushWaitsForEverythingBeforeItAndForcesIt() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        try (AuditLog log = AuditLog.to(sink, 1024)) {
            for (String id : ids(0, 700)) {
                log.record(Records.withId(id));
            }
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 700));
            assertThat(sink.forces.get()).isPositive();
        }
    }

    @Test
    void forcesWithinAboutASecondWithoutBeingAsked() {
        ScriptedSink sink = new ScriptedSink();
        try (AuditLog log = AuditLog.to(sink, 16)) {
            log.record(Records.withId("a"));
            Await.until("written", () -> sink.bytes().length > 0);
            Await.until("forced", () -> sink.forces.get() == 1);
        }
    }

    @Test
    void aFailedForceIsAFailureUntilAForceWorks() {
        ScriptedSink sink = new ScriptedSink();
        sink.failForce = true;
        try (AuditLog log = AuditLog.to(sink, 16)) {
            log.record(Records.withId("a"));
            assertThat(log.flush(FLUSH)).isFalse();
            assertThat(log.writeFailures()).isPositive();
            assertThat(log.accepting()).isFalse();

            sink.failForce = false;
            Await.until("accepting after a working force", log::accepting);
            assertThat(log.flush(FLUSH)).isTrue();
        }
    }

    @Test
    void concurrentProducersKeepTheirOwnOrderAndLoseNothing() throws Exception {
        ScriptedSink sink = new ScriptedSink();
        int producers = 4;
        int each = 2500;
        try (AuditLog log = AuditLog.to(sink, producers * each)) {
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        log.record(Records.withId(id + ":" + i));
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(10_000);
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(log.dropped()).isZero();
        }
        List<String> ids = sink.ids();
        assertThat(ids).hasSize(producers * each).doesNotHaveDuplicates();
        int[] next = new int[producers];
        for (String id : ids) {
            int p = Integer.parseInt(id.substring(0, id.indexOf(':')));
            assertThat(Integer.parseInt(id.substring(id.indexOf(':') + 1))).isEqualTo(next[p]++);
        }
    }

    @Test
    void closeWritesWhatIsQueuedForcesAndClosesTheSink() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        AuditLog log = AuditLog.to(sink, 1024);
        for (String id : ids(0, 300)) {
            log.record(Records.withId(id));
        }
        log.close();

        assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 300));
        assertThat(sink.forces.get()).isPositive();
        assertThat(sink.closed).isTrue();
        assertThat(log.accepting()).isFalse();
        assertThat(log.flush(Duration.ofMillis(100))).as("nothing was lost").isTrue();

        log.record(Records.withId("late"));
        assertThat(log.dropped()).isEqualTo(1);
        log.close(); // idempotent
    }

    @Test
    void closeGivesUpOnASinkThatNeverHealsAndCountsTheLoss() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        sink.failure = ScriptedSink.Failure.IO;
        AuditLog log = AuditLog.to(sink, 16);
        log.record(Records.withId("a"));
        log.record(Records.withId("b"));
        Await.until("a failed attempt", () -> log.writeFailures() >= 1);

        long start = System.nanoTime();
        log.close(Duration.ofMillis(300));
        long took = System.nanoTime() - start;

        assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofSeconds(5));
        assertThat(log.writeFailures()).as("kept retrying while close waited").isGreaterThanOrEqualTo(2);
        assertThat(log.dropped()).isEqualTo(2);
        assertThat(sink.closed).isTrue();
        assertThat(sink.bytes()).isEmpty();
        assertThat(log.flush(Duration.ofMillis(100))).isFalse();
    }

    @Test
    void closeInterruptsAWriteStuckInTheSink() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink();
        sink.gate = new CountDownLatch(1); // never opened
        AuditLog log = AuditLog.to(sink, 16);
        log.record(Records.withId("stuck"));
        assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();

        log.close(Duration.ofMillis(200));

        assertThat(sink.lastWriter.isAlive()).isFalse();
        assertThat(sink.closed).isTrue();
        assertThat(log.dropped()).isEqualTo(1);
    }

    @Test
    void anInterruptedCallerStillGetsAFullDrainOnClose() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        AuditLog log = AuditLog.to(sink, 1024);
        for (String id : ids(0, 500)) {
            log.record(Records.withId(id));
        }
        Thread.currentThread().interrupt();
        try {
            log.close();
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 500));
        assertThat(log.dropped()).isZero();
    }

    @Test
    void aDiskThatFillsUpMidBatchLeavesEveryRecordExactlyOnceOnWholeLines() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        Deque<Long> plan = new ArrayDeque<>(List.of(1000L));  // the first channel fails after 1000 bytes
        FileAuditSink sink = FileAuditSink.open(file,
                path -> new FaultyFileChannel(FileAuditSink.APPEND.open(path), plan.isEmpty() ? -1 : plan.poll()));
        try (AuditLog log = AuditLog.to(sink, 1024)) {
            for (String id : ids(0, 50)) {
                log.record(Records.withId(id));
            }
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(log.writeFailures()).isPositive();
        }
        assertThat(JsonLines.parse(Files.readAllBytes(file))).extracting(l -> l.get("id"))
                .containsExactlyElementsOf(ids(0, 50));
    }

    @Test
    void fsyncAlwaysForcesEveryBatchBeforeTheNextOneIsWritten() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        try (AuditLog log = AuditLog.builder().sink(sink).queueCapacity(64)
                .fsync(AuditConfig.Fsync.ALWAYS, Duration.ofHours(1)).open()) {
            for (int i = 0; i < 5; i++) {
                log.record(Records.withId("r" + i));
                int batches = i + 1;
                Await.until("batch " + batches + " written and forced", () -> sink.events.size() == 2 * batches
                        && sink.events.get(2 * batches - 1).equals("force"));
            }
            assertThat(log.flush(FLUSH)).isTrue();
        }
        List<String> events = List.copyOf(sink.events);
        assertThat(events).hasSizeGreaterThanOrEqualTo(10).startsWith("write", "force");
        for (int i = 0; i + 1 < events.size(); i++) {
            if (events.get(i).equals("write")) {
                assertThat(events.get(i + 1)).as("event after write #%d in %s", i, events).isEqualTo("force");
            }
        }
        assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 5));
    }

    @Test
    void fsyncAlwaysRetriesTheForceNotTheWrite() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        sink.failForce = true;
        try (AuditLog log = AuditLog.builder().sink(sink).queueCapacity(64)
                .fsync(AuditConfig.Fsync.ALWAYS, Duration.ofHours(1)).open()) {
            log.record(Records.withId("a"));
            Await.until("two failed forces", () -> log.writeFailures() >= 2);
            assertThat(log.accepting()).isFalse();
            sink.failForce = false;
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(log.accepting()).isTrue();
        }
        assertThat(sink.ids()).containsExactly("a");
        assertThat(sink.writeAttempts.get()).isEqualTo(1);
    }

    @Test
    void fsyncNeverForcesNothingNotEvenOnFlushOrClose() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        AuditLog log = AuditLog.builder().sink(sink).queueCapacity(64)
                .fsync(AuditConfig.Fsync.NEVER, Duration.ofMillis(1)).open();
        log.record(Records.withId("a"));
        assertThat(log.flush(FLUSH)).isTrue();
        log.record(Records.withId("b"));
        log.close();

        assertThat(sink.ids()).containsExactly("a", "b");
        assertThat(sink.forces.get()).isZero();
        assertThat(log.flush(Duration.ofMillis(100))).as("closed cleanly").isTrue();
    }

    @Test
    void fsyncIntervalForcesNoSoonerThanItsInterval() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        try (AuditLog log = AuditLog.builder().sink(sink).queueCapacity(64)
                .fsync(AuditConfig.Fsync.INTERVAL, Duration.ofHours(1)).open()) {
            for (String id : ids(0, 3)) {
                log.record(Records.withId(id));
                Await.until("written", () -> new String(sink.bytes(), StandardCharsets.UTF_8)
                        .contains("\"id\":\"" + id + "\""));
            }
            assertThat(sink.forces.get()).as("nothing forced within the hour").isZero();
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(sink.forces.get()).isEqualTo(1);
        }
    }

    @Test
    void onFailureAllowKeepsAcceptingWhileWritesFailAndCountsWhatIsDropped() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        sink.failure = ScriptedSink.Failure.IO;
        AtomicLong droppedHook = new AtomicLong();
        try (AuditLog log = AuditLog.builder().sink(sink).queueCapacity(4).onFailure(AuditConfig.OnFailure.ALLOW)
                .onDropped(droppedHook::addAndGet).open()) {
            log.record(Records.withId("r0"));
            Await.until("a failed attempt", () -> log.writeFailures() >= 1);
            for (String id : ids(1, 12)) {
                log.record(Records.withId(id));
                assertThat(log.accepting()).as("accepting while failing").isTrue();
            }
            assertThat(log.dropped()).as("the queue holds 4, the failing batch 1").isEqualTo(7);
            assertThat(droppedHook.get()).isEqualTo(7);

            sink.failure = ScriptedSink.Failure.NONE;
            assertThat(log.flush(FLUSH)).isTrue();
            assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 5));
            assertThat(log.accepting()).isTrue();
        }
    }

    @Test
    void onFailureRejectIsTheDefault() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        sink.failure = ScriptedSink.Failure.IO;
        try (AuditLog log = AuditLog.builder().sink(sink).queueCapacity(64).open()) {
            log.record(Records.withId("a"));
            Await.until("a failed attempt", () -> log.writeFailures() >= 1);
            assertThat(log.accepting()).isFalse();
            sink.failure = ScriptedSink.Failure.NONE;
        }
    }

    @Test
    void everyWrittenLineIsCopiedOnceToTheCopyStream() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        sink.failure = ScriptedSink.Failure.IO; // a retried batch is copied once, after it was written
        try (AuditLog log = AuditLog.builder().sink(sink).queueCapacity(1024).copyTo(copy).open()) {
            log.record(Records.withId("first"));
            Await.until("a failed attempt", () -> log.writeFailures() >= 2);
            sink.failure = ScriptedSink.Failure.NONE;
            for (String id : ids(0, 300)) {
                log.record(Records.withId(id));
            }
            assertThat(log.flush(FLUSH)).isTrue();
        }
        assertThat(copy.toByteArray()).isEqualTo(sink.bytes());
        assertThat(sink.ids()).hasSize(301);
    }

    @Test
    void aFailingCopyStreamNeverStopsTheLog() throws IOException {
        ScriptedSink sink = new ScriptedSink();
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("broken pipe (simulated)");
            }
        };
        try (AuditLog log = AuditLog.builder().sink(sink).queueCapacity(64).copyTo(broken).open()) {
            for (String id : ids(0, 3)) {
                log.record(Records.withId(id));
                assertThat(log.flush(FLUSH)).isTrue();
            }
            assertThat(log.accepting()).isTrue();
            assertThat(log.writeFailures()).isZero();
        }
        assertThat(sink.ids()).containsExactlyElementsOf(ids(0, 3));
    }
}
