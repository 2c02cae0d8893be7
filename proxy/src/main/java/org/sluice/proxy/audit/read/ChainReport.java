package org.sluice.proxy.audit.read;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of walking one node's chain.
 *
 * @param node     the node of the chain's first record
 * @param files    its files, in chain order
 * @param damage   the first bad place, null when the chain is intact
 * @param warnings torn writes and other things that are not damage
 * @param stats    what was checked (up to the damage)
 */
public record ChainReport(String node, List<Path> files, Finding damage, List<Finding> warnings, ChainStats stats) {

    public boolean intact() {
        return damage == null;
    }
}
