package org.sluice.proxy.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sluice.proxy.testing.HttpBytes;

/** The cases of {@code hostile/corpus.txt}: name, the statuses expected in order, and the raw bytes to send. */
record HostileCorpus(String name, List<Integer> expected, byte[] raw) {

    static List<HostileCorpus> load() throws IOException {
        List<HostileCorpus> cases = new ArrayList<>();
        try (InputStream in = HostileCorpus.class.getResourceAsStream("/hostile/corpus.txt")) {
            if (in == null) {
                throw new IOException("hostile/corpus.txt is not on the test class path");
            }
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].startsWith("== ")) {
                    continue;
                }
                String header = lines[i].substring(3);
                int bar = header.lastIndexOf(" | ");
                List<Integer> expected = Arrays.stream(header.substring(bar + 3).trim().split(" "))
                        .map(Integer::valueOf).toList();
                cases.add(new HostileCorpus(header.substring(0, bar), expected, HttpBytes.unescaped(lines[i + 1])));
            }
        }
        return cases;
    }

    @Override
    public String toString() {
        return name;
    }
}
