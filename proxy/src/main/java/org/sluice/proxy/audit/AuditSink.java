package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where encoded batches of audit lines go. Called from the audit writer thread only.
 * The file sink appends with a {@link java.nio.channels.FileChannel}.
 */
public interface AuditSink extends AutoCloseable {

    /** Writes the whole batch (from its position to its limit) or throws; a failed batch is offered again. */
    void write(ByteBuffer batch) throws IOException;

    /** Makes what was written durable. */
    void force() throws IOException;

    @Override
    void close() throws IOException;
}
