package dev.sluice.log;

import dev.sluice.time.Clock;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/**
 * Where every logger of the process writes: standard error ({@link System#err} as it is at the time
 * of the write, so a test that replaces it sees the lines), one whole line per {@code print}, under
 * a lock so that lines of different threads never interleave.
 *
 * <p>Text format (the default), exactly what slf4j-simple wrote before: {@code [thread] LEVEL
 * logger - message}, then the stack trace of a throwable on the lines that follow. Key-value pairs
 * of an event are not repeated in text (the loggers that add them also write them into the
 * message). JSON format: {@link JsonLine}.
 *
 * <p>The format is process-wide and chosen once at start ({@link Logging#use}); the level is INFO
 * (TRACE and DEBUG are dropped), as with slf4j-simple's defaults.
 */
final class LogSink {

  private static final Object LOCK = new Object();

  private static volatile LogFormat format = LogFormat.TEXT;

  private static final Clock CLOCK = Clock.system();

  private LogSink() {}

  static void format(LogFormat f) {
    format = f;
  }

  static LogFormat format() {
    return format;
  }

  static boolean enabled(Level level) {
    return level.toInt() >= Level.INFO.toInt();
  }

  static void write(
      Level level, String logger, String message, List<KeyValuePair> fields, Throwable thrown) {
    String thread = Thread.currentThread().getName();
    String line =
        format == LogFormat.JSON
            ? JsonLine.of(CLOCK.millis(), level, logger, thread, message, fields, thrown)
            : text(level, logger, thread, message, thrown);
    synchronized (LOCK) {
      PrintStream err = System.err;
      err.print(line);
      err.flush();
    }
  }

  private static String text(
      Level level, String logger, String thread, String message, Throwable thrown) {
    StringBuilder b = new StringBuilder(64 + (message == null ? 0 : message.length()));
    b.append('[').append(thread).append("] ").append(level.name()).append(' ');
    b.append(logger).append(" - ").append(message).append(System.lineSeparator());
    if (thrown != null) {
      StringWriter trace = new StringWriter();
      thrown.printStackTrace(new PrintWriter(trace));
      b.append(trace);
    }
    return b.toString();
  }
}
