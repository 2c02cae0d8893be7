package org.sluice.proxy.audit.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Polls by hand, so that every interleaving of writes, renames and polls is the one the test means. */
class FileFollowerTest {

    @TempDir
    Path folder;

    private final List<String> seen = new ArrayList<>();

    private final FileFollower.Listener listener = new FileFollower.Listener() {
        @Override
        public void line(RawLine line) {
            seen.add(new String(line.bytes(), StandardCharsets.UTF_8));
        }

        @Override
        public void restarted(String why) {
            seen.add("(restarted)");
        }

        @Override
        public void incomplete(long bytes) {
            seen.add("(incomplete " + bytes + ")");
        }
    };

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void linesAreHandedOnOnlyOnceComplete() throws IOException {
        Path file = Files.writeString(folder.resolve("audit.jsonl"), "old\n");
        try (FileFollower follower = new FileFollower(file, 4, listener)) {
            append(file, "one\ntw");
            follower.poll();
            assertThat(seen).containsExactly("one");
            append(file, "o\n");
            follower.poll();
            follower.poll();
        }
        assertThat(seen).containsExactly("one", "two");
    }

    @Test
    void whatWasWrittenJustBeforeARotationIsNotLost() throws IOException {
        Path file = Files.writeString(folder.resolve("audit.jsonl"), "");
        try (FileFollower follower = new FileFollower(file, 0, listener)) {
            append(file, "last of the old file\n");
            Files.move(file, folder.resolve("audit-20261123T130600Z-1.jsonl"));
            follower.poll();                         // renamed away, no new file yet
            append(file, "first of the new file\n");
            follower.poll();
        }
        assertThat(seen).containsExactly("last of the old file", "(restarted)", "first of the new file");
    }

    @Test
    void aRotationInOneGoBetweenTwoPollsReadsTheOldFileToItsEndFirst() throws IOException {
        Path file = Files.writeString(folder.resolve("audit.jsonl"), "");
        try (FileFollower follower = new FileFollower(file, 0, listener)) {
            follower.poll();
            append(file, "a\nb\ntorn");
            Files.move(file, folder.resolve("audit-20261123T130600Z-1.jsonl"));
            append(file, "c\n");
            follower.poll();
        }
        assertThat(seen).containsExactly("a", "b", "(incomplete 4)", "(restarted)", "c");
    }

    @Test
    void aTruncatedFileIsReadAgainFromItsStart() throws IOException {
        Path file = Files.writeString(folder.resolve("audit.jsonl"), "one\ntwo\n");
        try (FileFollower follower = new FileFollower(file, 8, listener)) {
            Files.writeString(file, "new\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            follower.poll();
        }
        assertThat(seen).containsExactly("(restarted)", "new");
    }
}
