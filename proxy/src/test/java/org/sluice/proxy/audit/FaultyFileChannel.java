package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** Test channel: delegates to a real one, but its write can be made to stop after some bytes and fail. */
final class FaultyFileChannel extends FileChannel {

    private final FileChannel real;
    /** Bytes the next write may still pass on before it fails; negative = no fault armed. */
    private long failAfter;
    private final boolean failForce;

    FaultyFileChannel(FileChannel real, long failAfter) {
        this(real, failAfter, false);
    }

    FaultyFileChannel(FileChannel real, long failAfter, boolean failForce) {
        this.real = real;
        this.failAfter = failAfter;
        this.failForce = failForce;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (failAfter < 0) {
            return real.write(src);
        }
        if (failAfter == 0) {
            throw new IOException("injected: no space left on device");
        }
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + (int) Math.min(part.remaining(), failAfter));
        int n = real.write(part);
        src.position(src.position() + n);
        failAfter -= n;
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        throw new UnsupportedOperationException("not used by the sink");
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (failForce) {
            throw new IOException("injected: fsync failed");
        }
        real.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return real.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) {
        throw new UnsupportedOperationException("not used by the sink");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
