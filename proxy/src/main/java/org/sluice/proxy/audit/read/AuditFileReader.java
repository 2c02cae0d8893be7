package org.sluice.proxy.audit.read;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads an audit file line by line as bytes, plain or gzip-compressed (recognised by its magic bytes, whatever
 * its name). Lines are split on '\n' only; the last line may lack one (a write cut short). Not thread-safe.
 */
public final class AuditFileReader implements Closeable {

    /** Longer lines are kept only this far: no audit line comes near it, so such a line is damage. */
    public static final int MAX_LINE_BYTES = 1 << 20;

    private static final int BUFFER_BYTES = 64 * 1024;

    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int position;
    private int limit;
    private int lineNumber;
    private boolean end;
    private byte[] line = new byte[1024];

    private AuditFileReader(InputStream in) {
        this.in = in;
    }

    /** Opens file, decompressing it when it starts with the gzip magic bytes. */
    public static AuditFileReader open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER_BYTES);
            buffered.mark(2);
            boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
            buffered.reset();
            return new AuditFileReader(gzip ? new GZIPInputStream(buffered, BUFFER_BYTES) : buffered);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** The next line, or null at the end of the file. */
    public RawLine next() throws IOException {
        long length = 0;
        while (true) {
            if (position == limit && !fill()) {
                if (length == 0) {
                    return null;
                }
                return new RawLine(++lineNumber, kept(length), length, false);
            }
            int from = position;
            int newline = indexOfNewline(from, limit);
            int to = newline >= 0 ? newline : limit;
            keep(length, from, to);
            length += to - from;
            if (newline >= 0) {
                position = newline + 1;
                return new RawLine(++lineNumber, kept(length), length, true);
            }
            position = limit;
        }
    }

    private int indexOfNewline(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void keep(long lineLength, int from, int to) {
        if (lineLength >= MAX_LINE_BYTES) {
            return;
        }
        int n = (int) Math.min(to - from, MAX_LINE_BYTES - lineLength);
        int needed = (int) lineLength + n;
        if (needed > line.length) {
            line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, Math.max(needed, line.length * 2)));
        }
        System.arraycopy(buffer, from, line, (int) lineLength, n);
    }

    private byte[] kept(long length) {
        return Arrays.copyOf(line, (int) Math.min(length, MAX_LINE_BYTES));
    }

    private boolean fill() throws IOException {
        if (end) {
            return false;
        }
        int n;
        try {
            n = in.read(buffer, 0, buffer.length);
        } catch (EOFException cut) {
            // GZIPInputStream's word for compressed data that stops in the middle.
            throw new IOException("the compressed data ends early (the .gz file is cut)", cut);
        }
        if (n < 0) {
            end = true;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
