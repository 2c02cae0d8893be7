package org.sluice.proxy.audit.read;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/** The lines of a chain's files, in chain order, with look-ahead to the next complete line. */
final class ChainCursor implements Closeable {

    private final List<Path> files;
    private final Deque<Located> ahead = new ArrayDeque<>();
    private int fileIndex = -1;
    private AuditFileReader reader;

    ChainCursor(List<Path> files) {
        this.files = files;
    }

    /** The next line, complete or not; null after the last file's last line. */
    Located next() throws IOException {
        return ahead.isEmpty() ? read() : ahead.removeFirst();
    }

    /** The next line that parsed, without consuming anything; null when none is left. */
    Located peekParsed() throws IOException {
        for (Located buffered : ahead) {
            if (buffered.entry() != null) {
                return buffered;
            }
        }
        for (Located line = read(); line != null; line = read()) {
            ahead.addLast(line);
            if (line.entry() != null) {
                return line;
            }
        }
        return null;
    }

    /**
     * The first chained line in files that satisfies what, read with a second reader: it runs only once damage is
     * found, and keeping every hash of a large log in memory for that is not worth it.
     */
    static Located find(List<Path> files, Predicate<Located> what) throws IOException {
        try (ChainCursor cursor = new ChainCursor(files)) {
            for (Located line = cursor.next(); line != null; line = cursor.next()) {
                if (line.chained() && what.test(line)) {
                    return line;
                }
            }
        }
        return null;
    }

    private Located read() throws IOException {
        while (true) {
            if (reader == null) {
                if (fileIndex + 1 >= files.size()) {
                    return null;
                }
                fileIndex++;
                reader = AuditFiles.open(files.get(fileIndex));
            }
            RawLine raw = AuditFiles.next(reader, files.get(fileIndex));
            if (raw != null) {
                return new Located(files.get(fileIndex), fileIndex, raw, AuditEntry.parse(raw));
            }
            reader.close();
            reader = null;
        }
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
    }
}
