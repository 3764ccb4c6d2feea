package dev.sluice.log;

/**
 * Chooses the process's log format ({@code logging.format} of the configuration). Called once,
 * before the node starts; the choice holds until the process exits (a reload cannot change it:
 * {@code ConfigDiff} lists it as needing a restart, so a log shipper never sees two formats from
 * one process).
 */
public final class Logging {

  private Logging() {}

  /** Writes every later log line in {@code format}; JSON also takes over java.util.logging. */
  public static synchronized void use(LogFormat format) {
    if (format == LogFormat.JSON && LogSink.format() != LogFormat.JSON) {
      JulBridge.install();
    }
    LogSink.format(format);
  }

  /** The format in use. */
  public static LogFormat format() {
    return LogSink.format();
  }
}
