package org.sluice.proxy.audit.read;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Opening and reading audit files with errors that name the file, and what a rotated file's name says. */
public final class AuditFiles {

    /** {@code audit-20261123T091502Z-1201.jsonl[.gz]}: the writer names a rotated file after its first seq. */
    private static final Pattern ROTATED = Pattern.compile(".*-\\d{8}T\\d{6}Z-(\\d{1,18})\\.jsonl(?:\\.gz)?");

    private AuditFiles() {
    }

    public static AuditFileReader open(Path file) throws AuditReadException {
        try {
            return AuditFileReader.open(file);
        } catch (IOException e) {
            throw new AuditReadException(file, e);
        }
    }

    /** The next line of file, or null at its end. */
    public static RawLine next(AuditFileReader reader, Path file) throws AuditReadException {
        try {
            return reader.next();
        } catch (IOException e) {
            throw new AuditReadException(file, e);
        }
    }

    /** The seq a rotated file's name says it starts at, or null for other names (the active file). */
    static Long firstSeqInName(Path file) {
        Path name = file.getFileName();
        Matcher matcher = ROTATED.matcher(name == null ? "" : name.toString());
        return matcher.matches() ? Long.valueOf(matcher.group(1)) : null;
    }
}
