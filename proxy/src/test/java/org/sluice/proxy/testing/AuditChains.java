package org.sluice.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.sluice.proxy.audit.AuditChain;

/**
 * Test helper: checks audit lines against the chain definition in {@link AuditChain}, independently of the writer:
 * every line's hash recomputes from its bytes, every prev is the hash of the line before (the first one's is
 * given), every seq is one more than the one before.
 */
public final class AuditChains {

    private AuditChains() {}

    /** The lines of the files in order, without newlines; a {@code .gz} file is decompressed, an empty one has none. */
    public static List<String> lines(Path... files) {
        List<String> lines = new ArrayList<>();
        for (Path file : files) {
            String text;
            try (InputStream in = file.toString().endsWith(".gz")
                    ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (text.isEmpty()) {
                continue;
            }
            assertThat(text).as("%s ends with a newline", file).endsWith("\n");
            lines.addAll(List.of(text.substring(0, text.length() - 1).split("\n", -1)));
        }
        return lines;
    }

    /**
     * Asserts that lines form one unbroken chain whose first line has seq firstSeq and prev firstPrev, and returns
     * them parsed.
     */
    public static List<Map<String, Object>> assertChain(List<String> lines, long firstSeq, String firstPrev) {
        List<Map<String, Object>> parsed = new ArrayList<>();
        String prev = firstPrev;
        long seq = firstSeq;
        for (String line : lines) {
            Map<String, Object> fields = JsonLines.object(line);
            List<String> names = new ArrayList<>(fields.keySet());
            assertThat(names.subList(names.size() - 5, names.size())).as(line)
                    .containsExactly("job", "node", "seq", "prev", "hash");
            assertThat(fields.get("seq")).as("seq of %s", line).isEqualTo(seq);
            assertThat(fields.get("prev")).as("prev of %s", line).isEqualTo(prev);
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            int hashAt = AuditChain.hashFieldStart(bytes, 0, bytes.length);
            String hash = AuditChain.hash(bytes, 0, hashAt);
            assertThat(line.substring(hashAt)).as("hash field of %s", line)
                    .isEqualTo(AuditChain.HASH_MARKER + hash + "\"}");
            assertThat(fields.get("hash")).isEqualTo(hash);
            parsed.add(fields);
            prev = hash;
            seq++;
        }
        return parsed;
    }

    /** Asserts a chain that starts at node's genesis with seq 1. */
    public static List<Map<String, Object>> assertChainFromGenesis(List<String> lines, String node) {
        return assertChain(lines, 1, AuditChain.genesis(node));
    }
}
