package org.sluice.cli.inject;

/** A manifest that is not YAML, or not a sequence of mappings, with where it went wrong (1-based; 0 = unknown). */
public final class ManifestException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    ManifestException(String message, int line, int column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** {@code SOURCE:LINE:COL: message}, leaving out what is unknown. */
    public String describe(String source) {
        return source + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "") + ": " + getMessage();
    }
}
