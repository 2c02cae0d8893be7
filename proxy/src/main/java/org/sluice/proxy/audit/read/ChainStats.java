package org.sluice.proxy.audit.read;

import java.util.List;

/**
 * What a walk over one chain checked: everything up to the damage, or the whole chain when it is intact.
 *
 * @param requests          request records
 * @param checkpoints       checkpoint records
 * @param others            records of other types (a later format version)
 * @param firstSeq          seq of the first record checked (0 when none)
 * @param lastSeq           seq of the last record checked (0 when none)
 * @param earliestTs        the earliest ts seen (in the writer's form), null when none
 * @param latestTs          the latest ts seen (in the writer's form), null when none
 * @param nodes             the node ids seen, in order of appearance
 * @param jobs              the jobs seen, in order of appearance; null stands for records without a job
 * @param fromGenesis       whether the chain starts at its node's genesis (seq 1) rather than in a file not given
 * @param lastCheckpoint    the last checkpoint, null when none
 * @param signaturesChecked checkpoint signatures verified with the key (0 without a key)
 * @param afterCheckpoint   records after the last checkpoint (all records when there is none)
 */
public record ChainStats(long requests, long checkpoints, long others, long firstSeq, long lastSeq,
                         String earliestTs, String latestTs, List<String> nodes, List<String> jobs,
                         boolean fromGenesis, Checkpoint lastCheckpoint, long signaturesChecked,
                         long afterCheckpoint) {

    public long records() {
        return requests + checkpoints + others;
    }

    /** A checkpoint as verify saw it. */
    public record Checkpoint(long seq, String ts, String keyId, String where) {
    }
}
