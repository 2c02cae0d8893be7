package org.sluice.proxy.audit.read;

/**
 * One line of an audit file as it is on disk, without its newline.
 *
 * @param number     1-based line number in its file
 * @param bytes      the line's bytes; only its first {@link AuditFileReader#MAX_LINE_BYTES} when it is longer
 * @param length     the line's full length in bytes
 * @param terminated whether a newline ended it (false only for the last line of a file)
 */
public record RawLine(int number, byte[] bytes, long length, boolean terminated) {

    /** True when the line was longer than the reader keeps: {@link #bytes()} holds only its start. */
    public boolean cut() {
        return bytes.length < length;
    }
}
