package dev.sluice.log;

import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Sends {@code java.util.logging} records (gRPC, under the etcd client, logs there) to the SLF4J
 * logger of the same name, so that in JSON mode they are JSON lines too rather than JUL's two-line
 * text. SEVERE is ERROR, WARNING is WARN, INFO and CONFIG are INFO, finer levels are dropped.
 */
final class JulBridge extends Handler {

  private final SimpleFormatter formatter = new SimpleFormatter();

  /** Replaces the root JUL logger's handlers with this bridge. */
  static void install() {
    LogManager.getLogManager().reset();
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.setLevel(java.util.logging.Level.INFO);
    root.addHandler(new JulBridge());
  }

  @Override
  public void publish(LogRecord r) {
    int v = r.getLevel().intValue();
    Level level;
    if (v >= java.util.logging.Level.SEVERE.intValue()) {
      level = Level.ERROR;
    } else if (v >= java.util.logging.Level.WARNING.intValue()) {
      level = Level.WARN;
    } else if (v >= java.util.logging.Level.CONFIG.intValue()) {
      level = Level.INFO;
    } else {
      return;
    }
    String name = r.getLoggerName() == null ? "jul" : r.getLoggerName();
    LoggerFactory.getLogger(name)
        .atLevel(level)
        .setCause(r.getThrown())
        .log(formatter.formatMessage(r));
  }

  @Override
  public void flush() {
    // every line is flushed as it is written
  }

  @Override
  public void close() {
    // nothing held
  }
}
