package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuditSinkTest {

    @TempDir
    Path dir;

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Opens real append channels, wrapping each in a fault plan taken from the queue (-1 = no fault). */
    private static FileAuditSink.ChannelOpener faults(Deque<Long> plan) {
        return path -> new FaultyFileChannel(FileAuditSink.APPEND.open(path), plan.isEmpty() ? -1 : plan.poll());
    }

    @Test
    void createsMissingFoldersAndTheFile() throws IOException {
        Path file = dir.resolve("var/log/sluice/audit.jsonl");
        try (FileAuditSink sink = FileAuditSink.open(file)) {
            assertThat(file).exists();
            sink.write(utf8("{\"id\":\"1\"}\n"));
            sink.force();
        }
        assertThat(file).hasContent("{\"id\":\"1\"}");
    }

    @Test
    void appendsToAnExistingFile() throws IOException {
        Path file = Files.writeString(dir.resolve("audit.jsonl"), "old line\n");
        try (FileAuditSink sink = FileAuditSink.open(file)) {
            sink.write(utf8("new line 1\n"));
            sink.write(utf8("new line 2\n"));
        }
        assertThat(Files.readString(file)).isEqualTo("old line\nnew line 1\nnew line 2\n");
    }

    @Test
    void aBatchThatFailedHalfwayIsCutOffSoTheRetryLeavesNoBrokenOrDoubledLine() throws IOException {
        Path file = Files.writeString(dir.resolve("audit.jsonl"), "before\n");
        Deque<Long> plan = new ArrayDeque<>();
        plan.add((long) "good 1\ngood 2\n".length() + 4);  // the disk fills up 4 bytes into the third batch
        try (FileAuditSink sink = FileAuditSink.open(file, faults(plan))) {
            sink.write(utf8("good 1\n"));
            sink.write(utf8("good 2\n"));
            assertThatThrownBy(() -> sink.write(utf8("retried\n"))).isInstanceOf(IOException.class);
            assertThat(Files.readString(file)).isEqualTo("before\ngood 1\ngood 2\nretr");

            sink.write(utf8("retried\n"));   // reopened, now without a fault
        }
        assertThat(Files.readString(file)).isEqualTo("before\ngood 1\ngood 2\nretried\n");
    }

    @Test
    void afterAFailureAFileThatWasRemovedIsCreatedAgain() throws IOException {
        Path file = dir.resolve("logs/audit.jsonl");
        Deque<Long> plan = new ArrayDeque<>();
        plan.add(0L);
        try (FileAuditSink sink = FileAuditSink.open(file, faults(plan))) {
            assertThatThrownBy(() -> sink.write(utf8("lost\n"))).isInstanceOf(IOException.class);
            Files.delete(file);
            Files.delete(file.getParent());

            sink.write(utf8("after\n"));
        }
        assertThat(Files.readString(file)).isEqualTo("after\n");
    }

    @Test
    void aFailedWriteDoesNotTruncateADifferentFileNowAtThePath() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        Deque<Long> plan = new ArrayDeque<>();
        plan.add((long) "short\n".length());
        try (FileAuditSink sink = FileAuditSink.open(file, faults(plan))) {
            sink.write(utf8("short\n"));
            assertThatThrownBy(() -> sink.write(utf8("x\n"))).isInstanceOf(IOException.class);
            // Rotated away and replaced by a longer file: its content is not ours to cut.
            Files.move(file, dir.resolve("audit.jsonl.1"));
            Files.writeString(file, "a longer line written by someone else\n");

            sink.write(utf8("x\n"));
        }
        assertThat(Files.readString(file)).isEqualTo("a longer line written by someone else\nx\n");
        assertThat(Files.readString(dir.resolve("audit.jsonl.1"))).isEqualTo("short\n");
    }

    @Test
    void aFailedForceIsRetriedOnAReopenedFileWithoutLosingWhatWasWritten() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        Deque<Boolean> forceFails = new ArrayDeque<>(List.of(true));
        FileAuditSink.ChannelOpener opener = path -> new FaultyFileChannel(FileAuditSink.APPEND.open(path), -1,
                !forceFails.isEmpty() && forceFails.poll());
        try (FileAuditSink sink = FileAuditSink.open(file, opener)) {
            sink.write(utf8("kept\n"));
            assertThatThrownBy(sink::force).isInstanceOf(IOException.class);

            sink.force();
            sink.write(utf8("next\n"));
        }
        assertThat(Files.readString(file)).isEqualTo("kept\nnext\n");
    }
}
