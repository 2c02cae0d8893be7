package org.sluice.proxy.audit.read;

import java.nio.file.Path;

/** A line and where it is: its file (as the user named it), that file's place in the chain, its line number. */
record Located(Path file, int fileIndex, RawLine raw, AuditEntry entry) {

    /** FILE:LINE, the way every finding names a place. */
    String where() {
        return file + ":" + raw.number();
    }

    /** A line that parsed and carries valid chain fields. */
    boolean chained() {
        return entry != null && entry.chainProblem() == null;
    }

    /** Whether this line comes after (fileIndex, line) in chain order. */
    boolean after(int otherFileIndex, int otherLine) {
        return fileIndex > otherFileIndex || fileIndex == otherFileIndex && raw.number() > otherLine;
    }
}
