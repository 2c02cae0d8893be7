package org.sluice.proxy.audit.read;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Follows a growing audit file ({@code audit tail -f}): each {@link #poll()} hands complete new lines to the
 * listener. When the file is replaced (rotation: renamed away, a new one created) the rest of the old file is read
 * first, through the still open channel, then the new file from its start; when it shrinks (truncated in place)
 * it is read again from its start. Not thread-safe; the caller decides how often to poll.
 */
public final class FileFollower implements Closeable {

    /** What following finds. */
    public interface Listener {
        /** A complete line; its number is 0 (following does not count lines). */
        void line(RawLine line);

        /** The file was replaced or truncated: from now on, lines come from its start. */
        void restarted(String why);

        /** The old file ended with bytes without a newline (a torn write) when it was replaced. */
        void incomplete(long bytes);
    }

    private final Path file;
    private final Listener listener;
    private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long partialLength;
    private FileChannel channel;
    private Object fileKey;
    private long position;

    /** Starts at offset from of file, which must exist. */
    public FileFollower(Path file, long from, Listener listener) throws IOException {
        this.file = file;
        this.listener = listener;
        open();
        this.position = from;
    }

    public void poll() throws IOException {
        if (channel == null && !openIfThere()) {
            return;
        }
        drain();
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException renamedAway) {
            return; // rotation under way: the old file is still read through the open channel
        }
        if (now.fileKey() != null && !Objects.equals(now.fileKey(), fileKey)) {
            drain();
            closeChannel();
            if (partialLength > 0) {
                listener.incomplete(partialLength);
            }
            dropPartial();
            listener.restarted(file + " was replaced (rotated); following the new file from its start");
            if (openIfThere()) {
                drain();
            }
        } else if (channel.size() < position) {
            dropPartial();
            position = 0;
            listener.restarted(file + " shrank (truncated); reading it again from its start");
            drain();
        }
    }

    private boolean openIfThere() throws IOException {
        try {
            open();
            return true;
        } catch (NoSuchFileException notYet) {
            return false;
        }
    }

    private void open() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            closeChannel();
            throw e;
        }
        position = 0;
    }

    private void drain() throws IOException {
        long size = channel.size();
        while (position < size) {
            chunk.clear();
            int n = channel.read(chunk, position);
            if (n <= 0) {
                return;
            }
            position += n;
            byte[] bytes = chunk.array();
            int from = 0;
            for (int i = 0; i < n; i++) {
                if (bytes[i] == '\n') {
                    keep(bytes, from, i);
                    listener.line(new RawLine(0, partial.toByteArray(), partialLength, true));
                    dropPartial();
                    from = i + 1;
                }
            }
            keep(bytes, from, n);
        }
    }

    private void keep(byte[] bytes, int from, int to) {
        int room = (int) Math.max(0, AuditFileReader.MAX_LINE_BYTES - partialLength);
        partial.write(bytes, from, Math.min(room, to - from));
        partialLength += to - from;
    }

    private void dropPartial() {
        partial.reset();
        partialLength = 0;
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeChannel();
    }
}
