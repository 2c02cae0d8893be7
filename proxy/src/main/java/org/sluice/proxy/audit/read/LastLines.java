package org.sluice.proxy.audit.read;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The last lines of an audit file. A plain file is read backwards from its end, so that a large active file costs
 * only what is shown; a compressed one is read through.
 *
 * @param lines      the last complete (newline-terminated) lines, oldest first; line numbers are 0 (unknown)
 * @param end        the offset just after the last newline: where following the file starts
 * @param incomplete bytes after the last newline (being written, or torn by a crash), 0 when none
 */
public record LastLines(List<RawLine> lines, long end, long incomplete) {

    private static final int CHUNK = 64 * 1024;

    /** The last n complete lines of file (plain or gzip). */
    public static LastLines of(Path file, int n) throws AuditReadException {
        try {
            if (isGzip(file)) {
                return compressed(file, n);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                return plain(channel, n);
            }
        } catch (AuditReadException e) {
            throw e;
        } catch (IOException e) {
            throw new AuditReadException(file, e);
        }
    }

    /** Whether file starts with the gzip magic bytes. */
    public static boolean isGzip(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(2);
            while (magic.hasRemaining() && channel.read(magic) >= 0) {
                // read until two bytes or the end
            }
            return magic.position() == 2 && (magic.get(0) & 0xff) == 0x1f && (magic.get(1) & 0xff) == 0x8b;
        }
    }

    private static LastLines compressed(Path file, int n) throws AuditReadException {
        Deque<RawLine> last = new ArrayDeque<>();
        long incomplete = 0;
        try (AuditFileReader reader = AuditFiles.open(file)) {
            for (RawLine line = AuditFiles.next(reader, file); line != null; line = AuditFiles.next(reader, file)) {
                if (!line.terminated()) {
                    incomplete = line.length();
                    break;
                }
                last.addLast(new RawLine(0, line.bytes(), line.length(), true));
                if (last.size() > n) {
                    last.removeFirst();
                }
            }
        } catch (AuditReadException e) {
            throw e;
        } catch (IOException closing) {
            throw new AuditReadException(file, closing);
        }
        return new LastLines(List.copyOf(last), -1, incomplete);
    }

    private static LastLines plain(FileChannel channel, int n) throws IOException {
        long size = channel.size();
        long end = lastNewlineBefore(channel, size);
        long afterLast = end < 0 ? 0 : end + 1;
        // Walk back n newlines from the last one: the n-th line back starts just after the (n+1)-th newline.
        long start = afterLast;
        int found = 0;
        long cursor = end;
        while (found < n && cursor >= 0) {
            long previous = lastNewlineBefore(channel, cursor);
            start = previous + 1;
            cursor = previous;
            found++;
        }
        List<RawLine> lines = new ArrayList<>();
        if (afterLast > start) {
            ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(afterLast - start));
            while (all.hasRemaining() && channel.read(all, start + all.position()) >= 0) {
                // read the region
            }
            byte[] bytes = all.array();
            int from = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    byte[] line = Arrays.copyOfRange(bytes, from, Math.min(i, from + AuditFileReader.MAX_LINE_BYTES));
                    lines.add(new RawLine(0, line, i - from, true));
                    from = i + 1;
                }
            }
        }
        return new LastLines(List.copyOf(lines), afterLast, size - afterLast);
    }

    /** Offset of the last '\n' before limit, or -1 when there is none. */
    private static long lastNewlineBefore(FileChannel channel, long limit) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        long to = limit;
        while (to > 0) {
            long from = Math.max(0, to - CHUNK);
            chunk.clear().limit((int) (to - from));
            while (chunk.hasRemaining() && channel.read(chunk, from + chunk.position()) >= 0) {
                // fill the chunk
            }
            for (int i = chunk.position() - 1; i >= 0; i--) {
                if (chunk.get(i) == '\n') {
                    return from + i;
                }
            }
            to = from;
        }
        return -1;
    }
}
