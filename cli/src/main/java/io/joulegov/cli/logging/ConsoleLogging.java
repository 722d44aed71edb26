package io.joulegov.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The command line's and the daemon's logging, set up in code: lines on stderr (stdout stays clean for JSON; journald
 * adds its own timestamps), joulegov at {@code JOULEGOV_LOG_LEVEL} (INFO by default), everything else at WARN.
 * Found by logback through {@code ServiceLoader}; in code rather than logback.xml because Joran, its XML parser and
 * the pattern converters are about 600 classes the daemon would keep resident. A file given with
 * {@code -Dlogback.configurationFile} still wins.
 */
public final class ConsoleLogging extends ContextAwareBase implements Configurator {
    static final String LEVEL_VARIABLE = "JOULEGOV_LOG_LEVEL";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        configure(context, System.getenv(LEVEL_VARIABLE));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static void configure(LoggerContext context, String joulegovLevel) {
        LogLineLayout layout = new LogLineLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("io.joulegov").setLevel(Level.toLevel(joulegovLevel, Level.INFO));
        // DJL probes for CUDA on every start; a CPU-only host is not worth a warning
        context.getLogger("ai.djl.util.cuda").setLevel(Level.ERROR);
    }
}
