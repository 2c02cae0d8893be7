package org.sluice.proxy.audit;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gzips rotated audit files on a thread of its own, so that the writer never waits for it: {@code X} becomes
 * {@code X.gz} (written as {@code X.gz.tmp}, forced when the log forces, renamed) and then {@code X} is deleted.
 * A failure leaves {@code X} as it was; files left plain by a stop are compressed at the next start.
 */
final class AuditCompressor {

    static final String THREAD_NAME = "sluice-audit-compress";
    private static final Logger LOG = LoggerFactory.getLogger(AuditCompressor.class);

    private final boolean force;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, THREAD_NAME);
        thread.setDaemon(true); // a compression cut short leaves the plain file, which the next start compresses
        return thread;
    });

    /** @param force true: the compressed file is forced to disk before the plain one is deleted */
    AuditCompressor(boolean force) {
        this.force = force;
    }

    /** Compresses the file later, in submission order. */
    void submit(Path plain) {
        try {
            executor.execute(() -> compressOrLog(plain));
        } catch (RejectedExecutionException closed) {
            LOG.warn("audit file {} left uncompressed: the audit log is closing; the next start compresses it", plain);
        }
    }

    /** Lets submitted files finish, waiting at most nanos; true if all did. */
    boolean close(long nanos) {
        executor.shutdown();
        try {
            return executor.awaitTermination(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void compressOrLog(Path plain) {
        try {
            compress(plain, force);
        } catch (IOException | RuntimeException e) {
            LOG.error("could not compress the rotated audit file {}; it stays uncompressed", plain, e);
        }
    }

    static void compress(Path plain, boolean force) throws IOException {
        Path gz = RotatedFiles.compressed(plain);
        Path tmp = gz.resolveSibling(gz.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            try (InputStream in = Files.newInputStream(plain);
                 OutputStream zip = new GZIPOutputStream(unclosable(Channels.newOutputStream(channel)), 64 * 1024)) {
                in.transferTo(zip);
            }
            if (force) {
                channel.force(false);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, gz, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(plain);
    }

    /** Closing the gzip stream must not close the channel before it is forced. */
    private static OutputStream unclosable(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
