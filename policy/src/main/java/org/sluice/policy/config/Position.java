package org.sluice.policy.config;

import java.nio.file.Path;

/**
 * A place in a config file, 1-based, as printed in every config message.
 *
 * @param file   the config file as it was named
 * @param line   1-based line
 * @param column 1-based column
 */
public record Position(Path file, int line, int column) {

    /** "file:line:col". */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
