package org.sluice.policy.config;

import java.util.List;
import java.util.stream.Collectors;

/** One or more problems found in a config file; getMessage() is one "file:line:col: message" per line. */
public final class ConfigException extends Exception {

    private final List<Problem> problems;

    /** Problems should already be sorted by position; there must be at least one. */
    public ConfigException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, sorted by position. */
    public List<Problem> problems() {
        return problems;
    }
}
