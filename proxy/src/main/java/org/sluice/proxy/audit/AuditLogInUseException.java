package org.sluice.proxy.audit;

import java.io.IOException;
import java.nio.file.Path;

/** Another Sluice writes this audit log: start-up stops before anything is read, written or listened on. */
public final class AuditLogInUseException extends IOException {
    private final Long holderPid;

    AuditLogInUseException(Path log, Path lockFile, Long holderPid) {
        super("audit log " + log + " is in use by another Sluice ("
                + (holderPid == null ? "PID unknown" : "PID " + holderPid) + ", lock file " + lockFile
                + "); one process writes a log, or its hash chain forks. Stop that one, or give this one another "
                + "audit.path");
        this.holderPid = holderPid;
    }

    /** The PID in the lock file, or null when it could not be read. */
    public Long holderPid() {
        return holderPid;
    }
}
