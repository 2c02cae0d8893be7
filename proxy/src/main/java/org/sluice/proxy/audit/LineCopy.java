package org.sluice.proxy.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of every written line to another stream ({@code audit.stdout}: the process's standard output, for a
 * log collector). The file stays the record: a failing copy is logged once until it works again and never stops
 * the log. Writer thread only.
 */
final class LineCopy {

    private static final Logger LOG = LoggerFactory.getLogger(LineCopy.class);

    private final OutputStream out;
    private final WritableByteChannel channel;
    private boolean failing;

    LineCopy(OutputStream out) {
        this.out = out;
        this.channel = Channels.newChannel(out);
    }

    /** Copies the lines (position to limit of a buffer the caller does not reuse meanwhile). */
    void write(ByteBuffer lines) {
        try {
            while (lines.hasRemaining()) {
                channel.write(lines);
            }
            out.flush();
            if (out instanceof PrintStream print && print.checkError()) {
                throw new IOException("the stream reports an error");
            }
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.warn("copying audit lines to standard output failed; the audit file is still written", e);
                failing = true;
            }
            return;
        }
        if (failing) {
            LOG.warn("copying audit lines to standard output works again; lines written meanwhile are only in the "
                    + "file");
            failing = false;
        }
    }
}
