package org.sluice.proxy.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, at start-up, where the node's chain stands in its files, so that the first record of this run links to
 * the last one written before: the last complete line of the active file, or of the newest rotated file when the
 * active one is empty or missing. An active file that ends in the middle of a line (Sluice died while writing)
 * gets a newline, so that the fragment stays a line of its own, and the chain goes on from the last complete
 * line before it. A last line that is not a chained line stops the start: continuing would fork the chain.
 */
final class ChainRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(ChainRecovery.class);
    private static final int CHUNK = 64 * 1024;
    /** No line Sluice writes comes near this; a longer one means the file is not an audit log. */
    private static final int MAX_LINE = 64 * 1024 * 1024;
    /** Fragments skipped looking for the first record of the active file before giving up on knowing it. */
    private static final int MAX_LEADING_FRAGMENTS = 100;
    /** Lines of a gzipped file kept while reading it through, to step back over fragments at its end. */
    private static final int KEPT_GZIP_LINES = 16;

    /**
     * What start-up found.
     *
     * @param position        where the chain stands
     * @param signedToEnd     true when nothing follows the last checkpoint (or nothing was written)
     * @param activeBytes     size of the active file (after a repair)
     * @param activeFirstSeq  seq of the active file's first record, 0 when it holds none
     * @param activeStartMillis when that record was written (its ts), or the file's modification time
     */
    record Found(ChainPosition position, boolean signedToEnd, long activeBytes, long activeFirstSeq,
                 long activeStartMillis) {}

    private ChainRecovery() {}

    /**
     * Repairs a torn tail of the active file and finds where the chain of node stands; IOException, naming the
     * file and what to do, when the last line is not a chained line.
     */
    static Found recover(Path active, RotatedFiles rotated, String node) throws IOException {
        long activeBytes = 0;
        long firstSeq = 0;
        long startMillis = 0;
        Tail tail = null;
        if (Files.isRegularFile(active) && Files.size(active) > 0) {
            try (FileChannel channel = FileChannel.open(active, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                repairTornEnd(active, channel);
                activeBytes = channel.size();
                tail = lastChainedLine(active, channel);
                if (tail != null) {
                    ChainLine first = firstChainedLine(channel);
                    if (first != null) {
                        firstSeq = first.seq();
                        startMillis = first.tsMillis() >= 0 ? first.tsMillis()
                                : Files.getLastModifiedTime(active).toMillis();
                    }
                }
            }
        }
        if (tail == null) {
            Path newest = rotated.newest();
            if (newest != null) {
                tail = lastChainedLine(newest);
                if (tail == null) {
                    throw new IOException("audit log " + newest + " holds no complete audit record, so the chain "
                            + "cannot be continued from it; move it out of the folder to start a new chain");
                }
            }
        }
        if (tail == null) {
            return new Found(ChainPosition.start(node), true, activeBytes, 0, 0);
        }
        ChainLine last = tail.line();
        if (!last.node().equals(node)) {
            LOG.warn("audit log {} was written by node '{}' and this Sluice is node '{}'; the chain goes on from "
                    + "seq {} under the new node name", tail.file(), last.node(), node, last.seq());
        }
        return new Found(new ChainPosition(last.seq(), last.hash()), last.checkpoint(), activeBytes, firstSeq,
                startMillis);
    }

    private record Tail(Path file, ChainLine line) {}

    /** Appends a newline when the file does not end with one. */
    private static void repairTornEnd(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer last = ByteBuffer.allocate(1);
        channel.read(last, size - 1);
        if (last.get(0) == '\n') {
            return;
        }
        ByteBuffer newline = ByteBuffer.wrap(new byte[] {'\n'});
        while (newline.hasRemaining()) {
            channel.write(newline, size);
        }
        channel.force(false);
        LOG.warn("audit log {} ended in the middle of a line (Sluice stopped while writing it); the fragment is kept "
                + "on a line of its own, where audit verify reports it, and the chain goes on from the last complete "
                + "line", file);
    }

    /** The last chained line of a file that ends with a newline, skipping torn fragments; null if it has none. */
    private static Tail lastChainedLine(Path file, FileChannel channel) throws IOException {
        long end = channel.size() - 1; // the final newline
        while (end >= 0) {
            long start = lineStart(channel, end);
            byte[] line = read(channel, start, end);
            Tail tail = chained(file, line);
            if (tail != null) {
                return tail;
            }
            end = start - 1;
        }
        return null;
    }

    /** The last chained line of a rotated file, plain or gzipped. */
    private static Tail lastChainedLine(Path file) throws IOException {
        if (!RotatedFiles.isCompressed(file)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                if (channel.size() == 0) {
                    return null;
                }
                ByteBuffer last = ByteBuffer.allocate(1);
                channel.read(last, channel.size() - 1);
                // Rotated files are not repaired: a missing final newline makes their last line a fragment.
                long end = last.get(0) == '\n' ? channel.size() - 1 : lineStart(channel, channel.size() - 1) - 1;
                while (end >= 0) {
                    long start = lineStart(channel, end);
                    Tail tail = chained(file, read(channel, start, end));
                    if (tail != null) {
                        return tail;
                    }
                    end = start - 1;
                }
                return null;
            }
        }
        ArrayDeque<byte[]> lastLines = new ArrayDeque<>(KEPT_GZIP_LINES);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), CHUNK)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buf = new byte[CHUNK];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        line.write(buf[i]);
                        continue;
                    }
                    if (lastLines.size() == KEPT_GZIP_LINES) {
                        lastLines.removeFirst();
                    }
                    lastLines.addLast(line.toByteArray());
                    line.reset();
                }
                if (line.size() > MAX_LINE) {
                    throw new IOException(file + ": a line of more than " + MAX_LINE + " bytes: not an audit log");
                }
            }
        }
        for (Iterator<byte[]> newestFirst = lastLines.descendingIterator(); newestFirst.hasNext(); ) {
            Tail tail = chained(file, newestFirst.next());
            if (tail != null) {
                return tail;
            }
        }
        return null;
    }

    /** The line as a chained line; null for a torn fragment; IOException for anything else. */
    private static Tail chained(Path file, byte[] line) throws IOException {
        try {
            return new Tail(file, ChainLine.parse(line));
        } catch (ChainLine.NotChained e) {
            if (e.torn()) {
                return null;
            }
            throw new IOException("audit log " + file + ": its last line is not a hash-chained audit record ("
                    + e.getMessage() + "), so Sluice cannot continue its chain and will not start a second one in "
                    + "the same log. Move the file out of the folder (e.g. to " + file.getFileName()
                    + ".old) to start a new chain. The line: " + ChainLine.shown(line));
        }
    }

    /** The first chained line of the active file, skipping leading fragments; null when it has none. */
    private static ChainLine firstChainedLine(FileChannel channel) throws IOException {
        long start = 0;
        for (int i = 0; i < MAX_LEADING_FRAGMENTS && start < channel.size(); i++) {
            long end = lineEnd(channel, start);
            try {
                return ChainLine.parse(read(channel, start, end));
            } catch (ChainLine.NotChained e) {
                start = end + 1;
            }
        }
        return null;
    }

    /** Where the line that ends at the newline at {@code end} starts. */
    private static long lineStart(FileChannel channel, long end) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long to = end; // exclusive
        while (to > 0) {
            long from = Math.max(0, to - CHUNK);
            buf.clear().limit((int) (to - from));
            readFully(channel, buf, from);
            for (int i = (int) (to - from) - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    return from + i + 1;
                }
            }
            if (end - from > MAX_LINE) {
                throw new IOException("a line of more than " + MAX_LINE + " bytes: not an audit log");
            }
            to = from;
        }
        return 0;
    }

    /** The index of the newline that ends the line starting at start (the file ends with one). */
    private static long lineEnd(FileChannel channel, long start) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long size = channel.size();
        for (long from = start; from < size; from += CHUNK) {
            buf.clear().limit((int) Math.min(CHUNK, size - from));
            readFully(channel, buf, from);
            for (int i = 0; i < buf.limit(); i++) {
                if (buf.get(i) == '\n') {
                    return from + i;
                }
            }
            if (from - start > MAX_LINE) {
                throw new IOException("a line of more than " + MAX_LINE + " bytes: not an audit log");
            }
        }
        return size;
    }

    private static byte[] read(FileChannel channel, long start, long end) throws IOException {
        if (end - start > MAX_LINE) {
            throw new IOException("a line of more than " + MAX_LINE + " bytes: not an audit log");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (end - start));
        readFully(channel, buf, start);
        return buf.array();
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at);
            if (n < 0) {
                throw new IOException("the file shrank while it was read");
            }
            at += n;
        }
    }
}
