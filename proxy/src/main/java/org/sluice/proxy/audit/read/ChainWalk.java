package org.sluice.proxy.audit.read;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.sluice.proxy.audit.AuditChain;

/**
 * Walks one node's chain through its files in order and stops at the first bad place, naming it and the kind of
 * damage. Lines that do not parse are torn writes when the chain continues around them (or nothing follows
 * them); otherwise they are damage.
 */
final class ChainWalk {

    static final String RECORD_CHANGED = "record changed";
    static final String RECORDS_MISSING = "records missing";
    static final String INSERTED = "inserted record";
    static final String OUT_OF_ORDER = "out of order";
    static final String FILE_MISSING = "file missing";
    static final String CHAIN_BROKEN = "chain broken";
    static final String BAD_START = "bad chain start";
    static final String UNREADABLE = "unreadable record";
    static final String NOT_CHAINED = "not a chained audit line";
    static final String SIGNATURE_INVALID = "checkpoint signature invalid";
    static final String OTHER_KEY = "checkpoint signed by another key";
    static final String TORN = "torn write (crash)";

    private static final String KEEP = "keep these files as evidence and compare them with a backup or an exported "
            + "copy";

    private final List<Path> files;
    private final PublicKey key;
    private final String keyName;
    private final List<Finding> warnings = new ArrayList<>();
    /** Lines that did not parse since the last one that did: torn writes or damage, depending on what follows. */
    private final List<Located> unreadable = new ArrayList<>();
    private Located last;
    private int lastParsedFile = -1;

    private long requests;
    private long checkpoints;
    private long others;
    private long firstSeq;
    private final TimeRange time = new TimeRange();
    private final Set<String> nodes = new LinkedHashSet<>();
    private final Set<String> jobs = new LinkedHashSet<>();
    private boolean fromGenesis;
    private ChainStats.Checkpoint lastCheckpoint;
    private long signaturesChecked;
    private long afterCheckpoint;

    /** key null: checkpoint signatures are not checked, only their place in the chain. */
    ChainWalk(List<Path> files, PublicKey key, String keyName) {
        this.files = List.copyOf(files);
        this.key = key;
        this.keyName = keyName;
    }

    ChainReport walk(String node) throws IOException {
        Finding damage = null;
        try (ChainCursor cursor = new ChainCursor(files)) {
            for (Located line = cursor.next(); line != null && damage == null; line = cursor.next()) {
                damage = step(line, cursor);
            }
        }
        if (damage == null) {
            for (Located torn : unreadable) {
                warnings.add(torn(torn, "the end of the log: the writer stopped in the middle of this line"));
            }
        }
        return new ChainReport(node, files, damage, List.copyOf(warnings), stats());
    }

    private Finding step(Located line, ChainCursor cursor) throws IOException {
        AuditEntry entry = line.entry();
        if (entry == null) {
            unreadable.add(line);
            return null;
        }
        boolean firstInFile = line.fileIndex() != lastParsedFile;
        lastParsedFile = line.fileIndex();
        if (entry.chainProblem() != null) {
            settleUnreadable(line, true);
            return damage(line, NOT_CHAINED, NOT_CHAINED + ": " + entry.chainProblem()
                    + "; it was changed, or written by a Sluice without the hash chain; " + KEEP);
        }
        if (last == null) {
            return start(line, entry);
        }
        boolean fits = follows(entry, last.entry());
        Finding damagedLine = settleUnreadable(line, fits);
        if (damagedLine != null) {
            return damagedLine;
        }
        if (fits) {
            Finding bad = integrity(line, entry);
            if (bad == null) {
                count(line, entry);
            }
            return bad;
        }
        if (!entry.hashMatchesContent()) {
            return changed(line);
        }
        return misplaced(line, entry, cursor, firstInFile);
    }

    /** The first record: its own integrity, and where the chain starts (genesis, or a file not given). */
    private Finding start(Located line, AuditEntry entry) {
        for (Located torn : unreadable) {
            warnings.add(torn(torn, "before the first complete record"));
        }
        unreadable.clear();
        Long named = AuditFiles.firstSeqInName(line.file());
        if (named != null && entry.seq() > named) {
            return missing(line, named, entry.seq(), " (the file name says it starts at seq " + named + ")");
        }
        Finding bad = integrity(line, entry);
        if (bad != null) {
            return bad;
        }
        boolean genesis = AuditChain.genesis(entry.node()).equals(entry.prev());
        if (genesis && entry.seq() != 1) {
            return damage(line, BAD_START, BAD_START + ": prev is the genesis of node " + entry.node()
                    + ", but seq is " + entry.seq() + ", not 1; the start of the log was rewritten; " + KEEP);
        }
        if (!genesis && entry.seq() == 1) {
            return damage(line, BAD_START, BAD_START + ": seq 1, but prev is not the genesis of node "
                    + entry.node() + ": the first record was replaced, or its node was changed; " + KEEP);
        }
        fromGenesis = genesis;
        firstSeq = entry.seq();
        count(line, entry);
        return null;
    }

    /** What a checked line must hold on its own: a valid signature (checkpoints) and a hash of its content. */
    private Finding integrity(Located line, AuditEntry entry) {
        if (entry.isCheckpoint()) {
            Finding bad = signature(line, entry);
            if (bad != null) {
                return bad;
            }
        }
        return entry.hashMatchesContent() ? null : changed(line);
    }

    /** Checked before the hash, so that a changed signature is named as such rather than as a changed line. */
    private Finding signature(Located line, AuditEntry entry) {
        String keyId = entry.text("keyId");
        String sig = entry.text("sig");
        if (keyId == null || sig == null) {
            return damage(line, SIGNATURE_INVALID, SIGNATURE_INVALID + ": the checkpoint (seq " + entry.seq()
                    + ") has no keyId or no sig; " + KEEP);
        }
        if (key == null) {
            return null;
        }
        String expected = AuditChain.keyId(key);
        if (!expected.equals(keyId)) {
            return damage(line, OTHER_KEY, OTHER_KEY + ": the checkpoint (seq " + entry.seq() + ") names keyId "
                    + keyId + ", but " + keyName + " is keyId " + expected + "; verify with the public key of "
                    + "the node that wrote this log, or find out who signed it");
        }
        boolean valid;
        try {
            valid = AuditChain.verify(key, entry.prev(), Base64.getDecoder().decode(sig));
        } catch (IllegalArgumentException | GeneralSecurityException malformed) {
            valid = false;
        }
        if (!valid) {
            return damage(line, SIGNATURE_INVALID, SIGNATURE_INVALID + ": the signature of the checkpoint (seq "
                    + entry.seq() + ") does not verify with " + keyName + ": the checkpoint was forged or changed, "
                    + "or the records before it were changed and re-chained; " + KEEP);
        }
        signaturesChecked++;
        return null;
    }

    /** A line that parses and hashes right but does not fit after the last record: what happened? */
    private Finding misplaced(Located line, AuditEntry entry, ChainCursor cursor, boolean firstInFile)
            throws IOException {
        AuditEntry prior = last.entry();
        long seq = entry.seq();
        long expected = prior.seq() + 1;
        if (entry.hash().equals(prior.hash())) {
            return damage(line, INSERTED, INSERTED + ": a copy of the line before it (" + last.where() + ", seq "
                    + prior.seq() + "); " + KEEP);
        }
        if (seq == prior.seq() && entry.prev().equals(prior.prev())) {
            Located next = cursor.peekParsed();
            if (next != null && next.chained() && next.entry().prev().equals(entry.hash())) {
                return damage(last, INSERTED, INSERTED + ": it claims seq " + seq + " like " + line.where()
                        + ", and the chain continues from " + line.where() + ", not from it; " + KEEP);
            }
            return damage(line, INSERTED, INSERTED + ": it claims seq " + seq + " like " + last.where()
                    + ", and the chain continues from " + last.where() + ", not from it; " + KEEP);
        }
        Located copy = ChainCursor.find(files, other -> other.entry().hash().equals(entry.hash())
                && (other.fileIndex() != line.fileIndex() || other.raw().number() != line.raw().number()));
        if (copy != null) {
            return damage(line, INSERTED, INSERTED + ": a copy of the record at " + copy.where() + " (seq "
                    + copy.entry().seq() + "); " + KEEP);
        }
        Located predecessor = ChainCursor.find(files, other -> other.after(line.fileIndex(), line.raw().number())
                && other.entry().hash().equals(entry.prev()));
        if (predecessor != null) {
            return damage(line, OUT_OF_ORDER, OUT_OF_ORDER + ": seq " + seq + " comes before seq "
                    + predecessor.entry().seq() + " (at " + predecessor.where() + "), the record it follows; "
                    + "lines were moved; " + KEEP);
        }
        Located next = cursor.peekParsed();
        boolean nextFollowsPrior = next != null && next.chained() && follows(next.entry(), prior);
        if (nextFollowsPrior) {
            return damage(line, INSERTED, INSERTED + ": seq " + seq + " does not link to the line before it ("
                    + last.where() + ", seq " + prior.seq() + "), and " + next.where()
                    + " continues the chain without it; " + KEEP);
        }
        if (entry.prev().equals(prior.hash())) {
            return damage(line, RECORD_CHANGED, RECORD_CHANGED + ": seq " + seq + " follows seq " + prior.seq()
                    + " although its prev links to it: its seq was changed and its hash recomputed; " + KEEP);
        }
        boolean newFile = firstInFile && line.fileIndex() != last.fileIndex();
        if (seq > expected) {
            Long named = newFile ? AuditFiles.firstSeqInName(line.file()) : null;
            if (newFile && (named == null || named == seq)) {
                return damage(line, FILE_MISSING, FILE_MISSING + " between " + last.file() + " and " + line.file()
                        + ": seq " + range(expected, seq - 1) + " absent (the one ends at seq " + prior.seq()
                        + ", the other starts at seq " + seq + "); add the rotated file that starts at seq "
                        + expected + ", or, if there is none, records were cut from the end of " + last.file());
            }
            String because = named != null && named < seq ? " (the file name says it starts at seq " + named + ")"
                    : "";
            return missing(line, expected, seq, because);
        }
        if (seq <= prior.seq()) {
            return damage(line, OUT_OF_ORDER, OUT_OF_ORDER + ": seq " + seq + " comes after seq " + prior.seq()
                    + " (" + last.where() + "), but seq goes up by 1 from line to line; " + KEEP);
        }
        // The seq fits, the prev does not: either this line or the one before was changed and re-hashed.
        boolean lineHasSuccessor = next != null && next.chained() && follows(next.entry(), entry);
        if (lineHasSuccessor && newFile) {
            return damage(line, CHAIN_BROKEN, CHAIN_BROKEN + " between " + last.file() + " and " + line.file()
                    + ": seq " + seq + " follows seq " + prior.seq() + " but links to a different hash; one of "
                    + "the files was changed, or they come from different logs of node " + entry.node());
        }
        if (lineHasSuccessor) {
            return damage(last, RECORD_CHANGED, RECORD_CHANGED + ": its hash was recomputed after a change, but "
                    + "the next line (" + line.where() + ") links to the original hash; " + KEEP);
        }
        return damage(line, RECORD_CHANGED, RECORD_CHANGED + ": its prev does not match the hash of the line "
                + "before it (" + last.where() + "): this line was changed or added, or the line before was "
                + "changed and re-hashed; " + KEEP);
    }

    /**
     * Lines that did not parse before a complete one: torn writes when the chain continues around them, damage
     * when it does not and they are in the same file (a torn line at the end of an earlier file is still torn).
     */
    private Finding settleUnreadable(Located next, boolean chainContinues) {
        try {
            for (Located line : unreadable) {
                if (!chainContinues && line.fileIndex() == next.fileIndex()) {
                    return damage(line, UNREADABLE, UNREADABLE + ": " + line.raw().length() + " bytes that are "
                            + "not a complete audit line, and the chain does not continue around them at "
                            + next.where() + ": a record was damaged or overwritten; " + KEEP);
                }
                warnings.add(torn(line, "and the chain continues after it"));
            }
            return null;
        } finally {
            unreadable.clear();
        }
    }

    private Finding missing(Located line, long from, long to, String because) {
        long n = to - from;
        return damage(line, RECORDS_MISSING, n + " record(s) missing before this line: seq " + range(from, to - 1)
                + " absent" + because + "; they were deleted; " + KEEP);
    }

    private Finding changed(Located line) {
        return damage(line, RECORD_CHANGED, RECORD_CHANGED + ": its hash does not match its content (seq "
                + line.entry().seq() + "): the line was edited after it was written; " + KEEP);
    }

    private static Finding damage(Located line, String kind, String sentence) {
        return new Finding(kind, line.where(), line.where() + ": " + sentence);
    }

    static Finding torn(Located line, String context) {
        return new Finding(TORN, line.where(), TORN + ": " + line.raw().length() + " bytes at " + line.where()
                + ", " + context + "; an incomplete line left by a crash, not a sign of tampering");
    }

    private static boolean follows(AuditEntry entry, AuditEntry prior) {
        return entry.prev().equals(prior.hash()) && entry.seq() == prior.seq() + 1;
    }

    private static String range(long from, long to) {
        return from == to ? Long.toString(from) : from + ".." + to;
    }

    private void count(Located line, AuditEntry entry) {
        if (entry.isCheckpoint()) {
            checkpoints++;
            lastCheckpoint = new ChainStats.Checkpoint(entry.seq(), entry.ts(), entry.text("keyId"), line.where());
            afterCheckpoint = 0;
        } else {
            if (entry.isRequest()) {
                requests++;
            } else {
                others++;
            }
            afterCheckpoint++;
        }
        nodes.add(entry.node());
        jobs.add(entry.job());
        time.add(entry.ts());
        last = line;
    }

    private ChainStats stats() {
        return new ChainStats(requests, checkpoints, others, firstSeq, last == null ? 0 : last.entry().seq(),
                time.earliest(), time.latest(), List.copyOf(nodes), Collections.unmodifiableList(new ArrayList<>(jobs)),
                fromGenesis, lastCheckpoint, signaturesChecked, afterCheckpoint);
    }
}
