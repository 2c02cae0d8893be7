package org.sluice.proxy.audit;

import java.util.Objects;

/**
 * Where a node's hash chain stands: the {@code seq} and {@code hash} of its last line, which the next line takes
 * as {@code seq + 1} and {@code prev}. A new chain stands at seq 0 with the node's genesis hash.
 *
 * @param seq  the last line's seq; 0 before the first line
 * @param hash the last line's hash (64 lower-case hex digits); the genesis before the first line
 */
record ChainPosition(long seq, String hash) {

    ChainPosition {
        Objects.requireNonNull(hash, "hash");
        if (seq < 0 || hash.length() != AuditChain.HASH_CHARS) {
            throw new IllegalArgumentException("not a chain position: seq " + seq + ", hash " + hash);
        }
    }

    /** Before a node's first line ever. */
    static ChainPosition start(String node) {
        return new ChainPosition(0, AuditChain.genesis(node));
    }
}
