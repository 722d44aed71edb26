package io.joulegov.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class LoggingConfigTest {

    /** A broken logback.xml makes every command print a screen of errors before its output. */
    @Test
    void theShippedLogbackConfigurationLoadsWithoutErrors() throws Exception {
        URL shipped = JoulegovCommand.class.getResource("/logback.xml");
        assertNotNull(shipped);
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(shipped);
        } catch (Exception e) {
            // the status list below says what went wrong
        }
        List<String> problems = context.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getLevel() >= Status.WARN).map(Status::getMessage).toList();
        assertEquals(List.of(), problems);
    }
}
