package org.sluice.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Sluice's operational log (start, stop, problems; requests go to the audit log): one line per event on stderr,
 * {@code org.sluice} at INFO, Netty and everything else at WARN. Set in code, found by logback through
 * {@code META-INF/services}: reading the same settings from a {@code logback.xml} loaded the JDK's XML parser and
 * logback's XML configurator, about 450 classes and a tenth of the CPU a start takes before it is ready.
 *
 * <p>An operator's own file still wins: with {@code -Dlogback.configurationFile=FILE}, or a {@code logback-test.xml}
 * or {@code logback.xml} on the class path (as the tests have), this steps aside and logback reads that file.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class OperationalLogConfigurator extends ContextAwareBase implements Configurator {

    /** The system property logback reads an operator's configuration file from. */
    static final String CONFIG_FILE_PROPERTY = "logback.configurationFile";
    /** The files logback itself looks for on the class path, in its order. */
    static final String[] CONFIG_RESOURCES = {"logback-test.xml", "logback.xml"};
    static final String APPENDER = "STDERR";
    /** ISO 8601 in UTC with milliseconds, the level, the class's simple name, the message. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} %-5level %logger{0} - %msg%n";

    /** ServiceLoader's constructor. */
    public OperationalLogConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = OperationalLogConfigurator.class.getClassLoader();
        if (configurationFileGiven(System.getProperty(CONFIG_FILE_PROPERTY), loader)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;   // logback's own configurator reads it
        }
        configureStderr(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Whether the operator named a file, or one of the files logback looks for is on {@code loader}'s class path. */
    static boolean configurationFileGiven(String property, ClassLoader loader) {
        if (property != null && !property.isBlank()) {
            return true;
        }
        for (String resource : CONFIG_RESOURCES) {
            if (loader != null && loader.getResource(resource) != null) {
                return true;
            }
        }
        return false;
    }

    /** Sluice's settings on {@code context}: the stderr appender on the root logger, and the levels. */
    static void configureStderr(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();

        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName(APPENDER);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        context.getLogger("org.sluice").setLevel(Level.INFO);
        context.getLogger("io.netty").setLevel(Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
    }
}
