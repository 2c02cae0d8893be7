package org.sluice.policy.content;

/**
 * Finds rows and rare values of a protected data set in decoded text: the {@code protectedData} check's scanner.
 * Immutable and safe to share between threads.
 */
public interface ProtectedDataScanner {

    /** How the text is split into values. */
    enum Syntax { JSON, CSV, TSV, TEXT }

    /**
     * Tokenises {@code length} bytes at {@code offset} as {@code syntax} (text that does not parse as it is read
     * as {@link Syntax#TEXT}) and adds every protected row and rare value it finds to {@code findings}.
     */
    void scan(byte[] bytes, int offset, int length, Syntax syntax, ProtectedFindings findings);
}
