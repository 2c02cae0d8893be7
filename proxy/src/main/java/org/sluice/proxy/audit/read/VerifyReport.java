package org.sluice.proxy.audit.read;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@code audit verify} found.
 *
 * @param chains     one per node, in the order their files were first given
 * @param damage     damage outside any chain (a file whose lines are not in the chained format)
 * @param warnings   warnings outside any chain (a file holding only a torn line)
 * @param emptyFiles files with nothing in them (the active file just after a rotation)
 * @param keyId      the keyId of the key checkpoints were verified with, null without a key
 */
public record VerifyReport(List<ChainReport> chains, List<Finding> damage, List<Finding> warnings,
                           List<Path> emptyFiles, String keyId) {

    public boolean intact() {
        return damage.isEmpty() && chains.stream().allMatch(ChainReport::intact);
    }
}
