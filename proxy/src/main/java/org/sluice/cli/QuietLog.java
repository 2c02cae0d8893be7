package org.sluice.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers Sluice's operational log to warnings for a while: the demo tells its own story on stdout, and start/stop
 * lines on stderr in between would only get in the way. Closing restores the previous level.
 */
final class QuietLog implements AutoCloseable {

    private final Logger logger;
    private final Level previous;

    private QuietLog(Logger logger, Level previous) {
        this.logger = logger;
        this.previous = previous;
    }

    static QuietLog warningsOnly() {
        if (!(LoggerFactory.getLogger("org.sluice") instanceof Logger logger)) {
            return new QuietLog(null, null);   // another SLF4J binding: leave its configuration alone
        }
        Level previous = logger.getLevel();
        logger.setLevel(Level.WARN);
        return new QuietLog(logger, previous);
    }

    @Override
    public void close() {
        if (logger != null) {
            logger.setLevel(previous);
        }
    }
}
