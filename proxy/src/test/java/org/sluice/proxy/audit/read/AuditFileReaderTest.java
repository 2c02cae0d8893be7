package org.sluice.proxy.audit.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditFileReaderTest {

    @TempDir
    Path folder;

    private static List<RawLine> readAll(Path file) throws IOException {
        List<RawLine> lines = new ArrayList<>();
        try (AuditFileReader reader = AuditFileReader.open(file)) {
            for (RawLine line = reader.next(); line != null; line = reader.next()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static String text(RawLine line) {
        return new String(line.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void splitsOnNewlinesAndMarksAnUnterminatedLastLine() throws IOException {
        Path file = Files.writeString(folder.resolve("a.jsonl"), "one\n\nthree\nfour");

        List<RawLine> lines = readAll(file);

        assertThat(lines).extracting(AuditFileReaderTest::text).containsExactly("one", "", "three", "four");
        assertThat(lines).extracting(RawLine::number).containsExactly(1, 2, 3, 4);
        assertThat(lines).extracting(RawLine::terminated).containsExactly(true, true, true, false);
        assertThat(readAll(Files.createFile(folder.resolve("empty.jsonl")))).isEmpty();
    }

    @Test
    void linesAcrossBufferBoundariesAreWhole() throws IOException {
        String a = "a".repeat(70_000);
        String b = "b".repeat(130_000);
        Path file = Files.writeString(folder.resolve("long.jsonl"), a + "\n" + b + "\n");

        List<RawLine> lines = readAll(file);

        assertThat(lines).extracting(AuditFileReaderTest::text).containsExactly(a, b);
    }

    @Test
    void aLineLongerThanTheLimitIsCutButCounted() throws IOException {
        int length = AuditFileReader.MAX_LINE_BYTES + 5;
        Path file = Files.writeString(folder.resolve("huge.jsonl"), "x".repeat(length) + "\nok\n");

        List<RawLine> lines = readAll(file);

        assertThat(lines.get(0).length()).isEqualTo(length);
        assertThat(lines.get(0).bytes()).hasSize(AuditFileReader.MAX_LINE_BYTES);
        assertThat(lines.get(0).cut()).isTrue();
        assertThat(text(lines.get(1))).isEqualTo("ok");
    }

    @Test
    void gzipIsRecognisedByItsContentNotItsName() throws IOException {
        Path file = folder.resolve("rotated.jsonl");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(readAll(file)).extracting(AuditFileReaderTest::text).containsExactly("one", "two");
        assertThat(LastLines.isGzip(file)).isTrue();
        assertThat(LastLines.isGzip(Files.writeString(folder.resolve("x.gz"), "\u001f"))).isFalse();
    }

    @Test
    void lastLinesReadsBackwardsAndKnowsWhereTheCompleteLinesEnd() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 3000; i++) {
            text.append("line ").append(i).append(" ").append("z".repeat(i % 50)).append('\n');
        }
        Path file = Files.writeString(folder.resolve("many.jsonl"), text + "partial");

        LastLines last = LastLines.of(file, 3);
        LastLines all = LastLines.of(file, 5000);

        assertThat(last.lines()).extracting(AuditFileReaderTest::text)
                .containsExactly("line 2998 " + "z".repeat(48), "line 2999 " + "z".repeat(49), "line 3000 ");
        assertThat(last.end()).isEqualTo(text.length());
        assertThat(last.incomplete()).isEqualTo("partial".length());
        assertThat(all.lines()).hasSize(3000);
        assertThat(text(all.lines().get(0))).isEqualTo("line 1 z");
    }
}
