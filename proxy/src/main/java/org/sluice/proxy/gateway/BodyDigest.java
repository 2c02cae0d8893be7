package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * The SHA-256 of each forwarded body on a connection, one body after another (the {@code reqSha256} audit field).
 * One digest per connection, reset for each body: creating one costs a provider look-up.
 */
final class BodyDigest {
    private MessageDigest sha256;
    /** Whether the current body has had a byte. */
    private boolean begun;

    /** A new body begins. */
    void start() {
        begun = false;
    }

    void update(ByteBuf bytes) {
        if (!begun) {
            if (sha256 == null) {
                sha256 = RequestDigests.newSha256();
            }
            sha256.reset();
            begun = true;
        }
        for (ByteBuffer part : bytes.nioBuffers()) {
            sha256.update(part);
        }
    }

    /** The body's digest in hex: of nothing when it had no byte. */
    String finish() {
        return begun ? RequestDigests.hex(sha256.digest()) : RequestDigests.EMPTY_SHA256;
    }
}
