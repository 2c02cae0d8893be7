package org.sluice.proxy.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
                cases.add(new HostileCorpus(header.substring(0, bar), expected, unescape(lines[i + 1])));
            }
        }
        return cases;
    }

    /** \r \n \t \\ and \xHH; every other character is one byte (ISO-8859-1). */
    static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.write(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '\\' -> out.write('\\');
                case 'x' -> {
                    out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + next + " in the corpus");
            }
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return name;
    }
}
