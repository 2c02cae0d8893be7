package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer per audit log: an exclusive lock on {@code .NAME.lock} beside the log ({@code .audit.jsonl.lock}),
 * held from before the log is read for its chain until the writer has closed it, with the holder's PID in it.
 * Two writers would fork the hash chain, which {@code audit verify} then reports as tampering. Readers never take
 * it. The name starts with a dot so that the docs' {@code audit*.jsonl*} globs do not pick it up as a log.
 */
final class AuditLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private AuditLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static Path fileFor(Path log) {
        Path absolute = log.toAbsolutePath();
        return absolute.resolveSibling("." + absolute.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code log} (whose folder exists) and writes this process's PID into it; throws
     * {@link AuditLogInUseException} naming the holder's PID when another process, or another log in this JVM,
     * holds it.
     */
    static AuditLock acquire(Path log) throws IOException {
        Path file = fileFor(log);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null; // a FileLock is per JVM: another open log of this process holds it
            }
            if (lock == null) {
                throw new AuditLogInUseException(log, file, holder(file));
            }
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            return new AuditLock(channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The PID the holder wrote, or null when it cannot be read (the holder is between lock and write). */
    private static Long holder(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return text.matches("\\d{1,19}") ? Long.valueOf(text) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Releases the lock; the file stays (deleting it would race with a starting instance that opened it). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
