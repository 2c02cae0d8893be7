package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;

/** Loads the policy file of the {@code policy} commands, reporting problems as {@code run} does. */
final class PolicyFiles {

    private PolicyFiles() {
    }

    /** The valid config, or null after printing why not (FILE:LINE:COL: message per problem, or why unreadable). */
    static SluiceConfig loadOrReport(Path file, PrintWriter err) {
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            err.flush();
            return null;
        } catch (IOException e) {
            err.println("sluice: cannot read config " + file + ": " + IoMessages.reason(e));
            err.flush();
            return null;
        }
    }
}
