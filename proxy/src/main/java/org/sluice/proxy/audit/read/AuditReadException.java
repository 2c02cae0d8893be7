package org.sluice.proxy.audit.read;

import java.io.IOException;
import java.nio.file.Path;

/** An audit file could not be read; names the file, the cause says why. */
public final class AuditReadException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public AuditReadException(Path file, IOException cause) {
        super(file + ": " + cause.getMessage(), cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Why it failed. */
    @Override
    public synchronized IOException getCause() {
        return (IOException) super.getCause();
    }
}
