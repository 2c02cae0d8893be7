package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames the messages of one connection, as Netty message parts: a head (the subclass's), then its body
 * ({@link BodyFramer}). After a part that failed, nothing more on the connection is read: the bytes are discarded.
 */
abstract class FramingDecoder extends ByteToMessageDecoder {
    private enum State { HEAD, BODY, DISCARD }

    final BodyFramer body;
    private State state = State.HEAD;

    FramingDecoder(BodyFramer body) {
        this.body = body;
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case HEAD -> head(in, out);
            case BODY -> body(in, out);
            case DISCARD -> in.skipBytes(in.readableBytes());
        }
    }

    /**
     * Reads the head at {@code in}'s reader index once it is all there, and passes its message on; calls
     * {@link #bodyFollows} after setting up {@link #body} when a body follows, or {@link #discard} when it failed.
     */
    abstract void head(ByteBuf in, List<Object> out);

    /** The head just passed on has a body, which {@link #body} was set up to frame. */
    final void bodyFollows() {
        state = State.BODY;
    }

    /** True while a body that ends with the connection is being read. */
    final boolean inBodyUntilClose() {
        return state == State.BODY && body.endsWithConnection();
    }

    /** Nothing after this on the connection is read. */
    final void discard(ByteBuf in) {
        state = State.DISCARD;
        in.skipBytes(in.readableBytes());
    }

    private void body(ByteBuf in, List<Object> out) {
        switch (body.decode(in, out)) {
            case DONE -> state = State.HEAD;
            case STOP -> discard(in);
            case MORE -> { }
        }
    }
}
