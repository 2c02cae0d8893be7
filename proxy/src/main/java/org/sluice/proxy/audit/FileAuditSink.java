package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Appends batches to one file. After a failed write the channel is dropped and reopened on the next attempt
 * (so a deleted or re-mounted file is recreated), and a batch that was only partly written is cut off again
 * when the same file is reopened, so a retried batch never leaves a broken or duplicated line.
 * Used by the audit writer thread only.
 */
final class FileAuditSink implements AuditSink {

    /** Opens a path for appending; a seam so tests can inject failing channels. */
    @FunctionalInterface
    interface ChannelOpener {
        FileChannel open(Path path) throws IOException;
    }

    static final ChannelOpener APPEND = path -> FileChannel.open(path,
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);

    private final Path path;
    private final ChannelOpener opener;
    private FileChannel channel;        // null after a failure, until the next write reopens it
    private Object fileKey;             // identity of the file the last good write went to (null if unknown)
    private long endOfGoodData;         // file size after the last write that succeeded

    private FileAuditSink(Path path, ChannelOpener opener) {
        this.path = path;
        this.opener = opener;
    }

    /** Creates missing parent folders and opens the file for appending, creating it if needed. */
    static FileAuditSink open(Path path) throws IOException {
        return open(path, APPEND);
    }

    static FileAuditSink open(Path path, ChannelOpener opener) throws IOException {
        FileAuditSink sink = new FileAuditSink(Objects.requireNonNull(path, "path"), opener);
        sink.reopen(false);
        return sink;
    }

    @Override
    public void write(ByteBuffer batch) throws IOException {
        if (channel == null) {
            reopen(true);
        }
        try {
            long written = 0;
            while (batch.hasRemaining()) {
                written += channel.write(batch);
            }
            // Counted, not asked: in append mode FileChannel.position() is an fstat per write. The file is ours
            // alone (AuditLock), so its size is what we found at open plus what we appended since.
            endOfGoodData += written;
        } catch (IOException e) {
            drop();
            throw e;
        }
    }

    @Override
    public void force() throws IOException {
        if (channel == null) {
            reopen(true); // fsync works on the file, whichever descriptor asks
        }
        try {
            channel.force(false);
        } catch (IOException e) {
            drop();
            throw e;
        }
    }

    /**
     * Renames the file to target (in the same folder; never over an existing file) and starts a new, empty file
     * under the old name. IOException when the rename fails: then the sink goes on appending to the old file. When
     * only the new file cannot be created, the next write tries again and reports it.
     */
    void rotateTo(Path target) throws IOException {
        FileChannel c = channel;
        channel = null;
        if (c != null) {
            c.close();
        }
        Files.move(path, target); // without REPLACE_EXISTING: refuses to replace a file
        fileKey = null;
        endOfGoodData = 0;
        try {
            reopen(false);
        } catch (IOException e) {
            channel = null; // write() reopens, and fails with the reason if it still cannot
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        FileChannel c = channel;
        channel = null;
        if (c != null) {
            c.close();
        }
    }

    private void reopen(boolean afterFailure) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel c = opener.open(path);
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            long size = c.size();
            if (afterFailure && key != null && key.equals(fileKey) && size > endOfGoodData) {
                c.truncate(endOfGoodData); // the tail of a batch that failed halfway; it is written again whole
                size = endOfGoodData;
            }
            fileKey = key;
            endOfGoodData = size;
            channel = c;
        } catch (IOException | RuntimeException e) {
            try {
                c.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void drop() {
        FileChannel c = channel;
        channel = null;
        try {
            c.close();
        } catch (IOException ignored) {
            // the channel is already broken; the reopen on the next attempt reports what still fails
        }
    }
}
