package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

class OperationalLogConfiguratorTest {

    /** The logback.xml the jar shipped before the settings moved into code: the format and levels to keep. */
    private static final String REFERENCE = "/logback-operational-reference.xml";

    @Test
    void aLineLooksAsItDidWithTheLogbackXml() throws Exception {
        LoggerContext inCode = configuredInCode();
        LoggerContext fromXml = configuredFromReference();
        long at = 1_796_680_775_561L; // 2026-12-07T21:59:35.561Z

        for (LoggingEvent event : List.of(
                event(inCode, "org.sluice.proxy.SluiceServer", Level.INFO, "gateway listening on {}", at,
                        "/127.0.0.1:8080"),
                event(inCode, "org.sluice.cli.RunCommand", Level.WARN, "gateway.upstream does not resolve", at + 7,
                        null),
                event(inCode, "io.netty.util.ResourceLeakDetector", Level.ERROR, "LEAK: ByteBuf.release()", at + 999,
                        null))) {
            assertThat(encode(inCode, event)).isEqualTo(encode(fromXml, event));
        }
        assertThat(encode(inCode, event(inCode, "org.sluice.proxy.SluiceServer", Level.INFO, "gateway listening on {}",
                at, "/127.0.0.1:8080")))
                .isEqualTo("2026-12-07T21:59:35.561Z INFO  SluiceServer - gateway listening on /127.0.0.1:8080\n");
    }

    @Test
    void theLevelsAreThoseOfTheLogbackXml() throws Exception {
        LoggerContext inCode = configuredInCode();
        LoggerContext fromXml = configuredFromReference();

        for (String name : List.of(Logger.ROOT_LOGGER_NAME, "org.sluice", "org.sluice.proxy.SluiceServer",
                "org.sluice.cli.RunCommand", "io.netty", "io.netty.channel.DefaultChannelPipeline", "org.yaml",
                "io.prometheus.metrics", "com.github.benmanes.caffeine")) {
            assertThat(inCode.getLogger(name).getEffectiveLevel()).as(name)
                    .isEqualTo(fromXml.getLogger(name).getEffectiveLevel());
        }
        assertThat(inCode.getLogger("org.sluice").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(inCode.getLogger("io.netty").getEffectiveLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void linesGoToStandardErrorOnly() {
        LoggerContext inCode = configuredInCode();

        List<String> appenders = new ArrayList<>();
        inCode.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(appender -> {
            appenders.add(appender.getName());
            assertThat(appender).isInstanceOf(ConsoleAppender.class);
            assertThat(((ConsoleAppender<ILoggingEvent>) appender).getTarget()).isEqualTo("System.err");
            assertThat(appender.isStarted()).isTrue();
        });
        assertThat(appenders).containsExactly(OperationalLogConfigurator.APPENDER);
        for (String name : List.of("org.sluice", "io.netty")) {
            assertThat(inCode.getLogger(name).iteratorForAppenders().hasNext()).as(name).isFalse();
        }
    }

    @Test
    void logbackFindsItAsAService() {
        List<Class<?>> found = new ArrayList<>();
        ServiceLoader.load(Configurator.class, OperationalLogConfigurator.class.getClassLoader())
                .forEach(configurator -> found.add(configurator.getClass()));

        assertThat(found).contains(OperationalLogConfigurator.class);
    }

    @Test
    void withoutAFileOfTheOperatorsItConfiguresAndStopsLogbacksSearch(@TempDir Path empty) throws Exception {
        try (URLClassLoader nothing = new URLClassLoader(new URL[] {empty.toUri().toURL()}, null)) {
            assertThat(OperationalLogConfigurator.configurationFileGiven(null, nothing)).isFalse();
            assertThat(OperationalLogConfigurator.configurationFileGiven(" ", nothing)).isFalse();
        }
    }

    @Test
    void aFileNamedByThePropertyWins(@TempDir Path empty) throws Exception {
        try (URLClassLoader nothing = new URLClassLoader(new URL[] {empty.toUri().toURL()}, null)) {
            assertThat(OperationalLogConfigurator.configurationFileGiven("/etc/sluice/logback.xml", nothing))
                    .isTrue();
        }
    }

    @Test
    void aLogbackXmlOnTheClassPathWins(@TempDir Path folder) throws Exception {
        for (String resource : OperationalLogConfigurator.CONFIG_RESOURCES) {
            Path dir = Files.createDirectories(folder.resolve(resource + ".d"));
            Files.writeString(dir.resolve(resource), "<configuration/>");
            try (URLClassLoader withFile = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
                assertThat(OperationalLogConfigurator.configurationFileGiven(null, withFile)).as(resource).isTrue();
            }
        }
    }

    @Test
    void inTheTestsLogbackTestXmlIsLeftInCharge() {
        // The tests' logback-test.xml is on the class path: the configurator must step aside, leaving the context
        // untouched for logback's own configurator.
        LoggerContext context = new LoggerContext();
        OperationalLogConfigurator configurator = new OperationalLogConfigurator();
        configurator.setContext(context);

        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
        assertThat(context.getLogger("org.sluice").getLevel()).isNull();
    }

    private static LoggerContext configuredInCode() {
        LoggerContext context = new LoggerContext();
        OperationalLogConfigurator.configureStderr(context);
        return context;
    }

    private static LoggerContext configuredFromReference() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(OperationalLogConfiguratorTest.class.getResource(REFERENCE));
        return context;
    }

    private static LoggingEvent event(LoggerContext context, String logger, Level level, String message, long at,
                                      Object argument) {
        LoggingEvent event = new LoggingEvent(OperationalLogConfiguratorTest.class.getName(),
                context.getLogger(logger), level, message, null, argument == null ? null : new Object[] {argument});
        event.setTimeStamp(at);
        return event;
    }

    @SuppressWarnings("unchecked")
    private static String encode(LoggerContext context, ILoggingEvent event) {
        ConsoleAppender<ILoggingEvent> appender = (ConsoleAppender<ILoggingEvent>) context
                .getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        Encoder<ILoggingEvent> encoder = appender.getEncoder();
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }
}
