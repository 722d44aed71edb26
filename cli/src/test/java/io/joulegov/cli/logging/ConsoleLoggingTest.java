package io.joulegov.cli.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.status.Status;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ConsoleLoggingTest {

    @Test
    void logbackFindsItAsAService() {
        assertTrue(ServiceLoader.load(Configurator.class).stream()
                .anyMatch(provider -> provider.type() == ConsoleLogging.class));
    }

    @Test
    void joulegovLogsAtInfoAndTheRestAtWarnToStderr() {
        LoggerContext context = new LoggerContext();
        ConsoleLogging.configure(context, null);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.WARN, root.getLevel());
        assertNotNull(root.getAppender("STDERR"));
        assertEquals(Level.INFO, context.getLogger("io.joulegov.governor.daemon.GovernDaemon").getEffectiveLevel());
        assertEquals(Level.WARN, context.getLogger("ai.djl.engine.Engine").getEffectiveLevel());
        assertEquals(Level.ERROR, context.getLogger("ai.djl.util.cuda.CudaUtils").getEffectiveLevel());
        // a mistake here would print a screen of logback's complaints before every command's output
        assertEquals(List.of(), context.getStatusManager().getCopyOfStatusList().stream()
                .filter(status -> status.getLevel() >= Status.WARN).map(Status::getMessage).toList());
    }

    @Test
    void theLevelVariableSetsJoulegovsLevel() {
        LoggerContext context = new LoggerContext();
        ConsoleLogging.configure(context, "debug");
        assertEquals(Level.DEBUG, context.getLogger("io.joulegov.cli").getEffectiveLevel());
    }

    @Test
    void aConfigurationFileGivenOnTheCommandLineIsLeftToLogback() {
        String before = System.setProperty("logback.configurationFile", "/etc/joulegov/logback.xml");
        try {
            LoggerContext context = new LoggerContext();
            ConsoleLogging logging = new ConsoleLogging();
            logging.setContext(context);
            assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, logging.configure(context));
            assertNull(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR"));
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
    }

    @Test
    void aLineReadsLikeThePatternItReplaces() {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("io.joulegov.governor.daemon.GovernDaemon");
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.INFO, "holding {} MHz", null,
                new Object[] {921.6});
        event.setInstant(Instant.parse("2026-11-30T12:04:05.123Z"));
        String line = new LogLineLayout(ZoneOffset.UTC).doLayout(event);
        assertEquals("12:04:05.123 INFO  GovernDaemon - holding 921.6 MHz" + System.lineSeparator(), line);
    }

    @Test
    void aLineCarriesTheStackTraceOfWhatWasThrown() {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("io.joulegov.device.power.PowerSampler");
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.WARN, "sampling failed",
                new IllegalStateException("rail vanished"), null);
        event.setInstant(Instant.parse("2026-11-30T12:04:05Z"));
        String text = new LogLineLayout(ZoneOffset.UTC).doLayout(event);
        assertTrue(text.startsWith("12:04:05.000 WARN  PowerSampler - sampling failed" + System.lineSeparator()
                + "java.lang.IllegalStateException: rail vanished"), text);
        assertTrue(text.contains("\tat io.joulegov.cli.logging.ConsoleLoggingTest."), text);
    }
}
