package org.sluice.policy.fingerprint;

/** A CSV file that is not RFC 4180: the line it was found on and what to do about it. */
public final class CsvFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    private final long line;

    CsvFormatException(long line, String message) {
        super(message);
        this.line = line;
    }

    /** The 1-based line the problem is on (for an unterminated quote: where the quoted field opened). */
    public long line() {
        return line;
    }
}
