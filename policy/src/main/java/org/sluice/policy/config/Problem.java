package org.sluice.policy.config;

/**
 * One thing wrong with a config file: where, and what is wrong and what is expected.
 *
 * @param position where the problem is
 * @param message  what is wrong and what is expected
 */
public record Problem(Position position, String message) {

    /** "file:line:col: message". */
    @Override
    public String toString() {
        return position + ": " + message;
    }
}
