package org.sluice.proxy.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects what one class logs while open: WARN and above (the tests' root level), or INFO too with
 * {@link #withInfo}.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level levelBefore;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Logger logger, Level level) {
        this.logger = logger;
        this.levelBefore = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        appender.start();
        logger.addAppender(appender);
    }

    private LogCapture(Logger logger) {
        this(logger, null);
    }

    /** Everything any logger passes on to the root at WARN and above. */
    public static LogCapture all() {
        return new LogCapture((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME));
    }

    public static LogCapture of(Class<?> type) {
        return new LogCapture((Logger) LoggerFactory.getLogger(type));
    }

    /** What one class logs at INFO and above while open: its level is INFO until close. */
    public static LogCapture withInfo(Class<?> type) {
        return new LogCapture((Logger) LoggerFactory.getLogger(type), Level.INFO);
    }

    /** Formatted messages of every event so far, oldest first. */
    public List<String> lines() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** Formatted messages of WARN and ERROR events so far, oldest first. */
    public List<String> warnings() {
        // AppenderBase.doAppend holds the appender's lock while it adds.
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(levelBefore);
    }
}
