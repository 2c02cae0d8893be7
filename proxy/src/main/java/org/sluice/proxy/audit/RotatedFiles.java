package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of rotated audit files, in the active file's folder: {@code audit.jsonl} is rotated to
 * {@code audit-<yyyyMMdd'T'HHmmss'Z'>-<seq>.jsonl} ({@code .jsonl.gz} once compressed), where the time is when the
 * file's first record was written (UTC) and seq is its first record's. Oldest to newest is by that time, then by
 * seq as a number.
 */
final class RotatedFiles {

    static final String GZ = ".gz";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path folder;
    private final String stem;
    private final String extension;
    private final Pattern pattern;

    RotatedFiles(Path active) {
        Path absolute = active.toAbsolutePath();
        this.folder = absolute.getParent();
        String name = absolute.getFileName().toString();
        int dot = name.lastIndexOf('.');
        this.stem = dot > 0 ? name.substring(0, dot) : name;
        this.extension = dot > 0 ? name.substring(dot) : "";
        this.pattern = Pattern.compile(Pattern.quote(stem) + "-(\\d{8}T\\d{6}Z)-(\\d{1,19})"
                + Pattern.quote(extension) + "(" + Pattern.quote(GZ) + ")?");
    }

    /** The name the active file is renamed to when its first record was written at startMillis with firstSeq. */
    Path nameFor(long startMillis, long firstSeq) {
        String stamp = STAMP.format(Instant.ofEpochMilli(startMillis));
        return folder.resolve(stem + "-" + stamp + "-" + firstSeq + extension);
    }

    /** The compressed name of a rotated file. */
    static Path compressed(Path rotated) {
        return rotated.resolveSibling(rotated.getFileName() + GZ);
    }

    static boolean isCompressed(Path file) {
        return file.getFileName().toString().endsWith(GZ);
    }

    /**
     * The rotated files, oldest first. Where a file exists both plain and compressed (Sluice stopped while
     * compressing it), only the plain one, which is complete, is listed.
     */
    List<Path> list() throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (folder == null || !Files.isDirectory(folder)) {
            return List.of();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                Matcher m = pattern.matcher(file.getFileName().toString());
                if (m.matches() && Files.isRegularFile(file)) {
                    try {
                        entries.add(new Entry(file, m.group(1), Long.parseLong(m.group(2)), m.group(3) != null));
                    } catch (NumberFormatException tooLarge) {
                        // not a seq Sluice wrote; not one of ours
                    }
                }
            }
        }
        entries.sort(Comparator.comparing(Entry::stamp).thenComparingLong(Entry::seq)
                .thenComparing(Entry::compressed));
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            boolean plainTwin = i > 0 && entries.get(i - 1).sameFileAs(e);
            if (!plainTwin) {
                out.add(e.file());
            }
        }
        return out;
    }

    /** The newest rotated file, or null when there is none. */
    Path newest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Rotated files not compressed yet, oldest first. */
    List<Path> uncompressed() throws IOException {
        return list().stream().filter(file -> !isCompressed(file)).toList();
    }

    private record Entry(Path file, String stamp, long seq, boolean compressed) {
        boolean sameFileAs(Entry other) {
            return stamp.equals(other.stamp) && seq == other.seq;
        }
    }
}
