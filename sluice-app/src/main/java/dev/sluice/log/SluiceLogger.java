package dev.sluice.log;

import dev.sluice.gateway.evidence.LogFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NormalizedParameters;
import org.slf4j.spi.LoggingEventAware;

/**
 * A named logger that formats the message ({@code {}} placeholders) and hands the line to {@link
 * LogSink}. The key-value pairs of an event of the fluent API ({@code
 * log.atInfo().addKeyValue(..)}) and those of a {@link LogFields} argument (the connection line's)
 * are the fields the JSON format writes on their own. Thread-safe.
 */
final class SluiceLogger extends LegacyAbstractLogger implements LoggingEventAware {

  private static final long serialVersionUID = 1L;

  SluiceLogger(String name) {
    this.name = name;
  }

  @Override
  public boolean isTraceEnabled() {
    return LogSink.enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return LogSink.enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return LogSink.enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return LogSink.enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return LogSink.enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] args, Throwable thrown) {
    if (LogSink.enabled(level)) {
      LogSink.write(
          level,
          name,
          MessageFormatter.basicArrayFormat(pattern, args),
          fields(List.of(), args),
          thrown);
    }
  }

  /** {@code pairs}, then the pairs of every {@link LogFields} argument, in order. */
  static List<KeyValuePair> fields(List<KeyValuePair> pairs, Object[] args) {
    List<KeyValuePair> out = null;
    if (args != null) {
      for (Object a : args) {
        if (a instanceof LogFields f) {
          if (out == null) {
            out = new ArrayList<>(pairs);
          }
          for (Map.Entry<String, Object> e : f.pairs()) {
            out.add(new KeyValuePair(e.getKey(), e.getValue()));
          }
        }
      }
    }
    return out == null ? pairs : out;
  }

  @Override
  public void log(LoggingEvent event) {
    if (!LogSink.enabled(event.getLevel())) {
      return;
    }
    NormalizedParameters p = NormalizedParameters.normalize(event);
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    LogSink.write(
        event.getLevel(),
        name,
        MessageFormatter.basicArrayFormat(p.getMessage(), p.getArguments()),
        fields(pairs == null ? List.of() : pairs, p.getArguments()),
        p.getThrowable());
  }
}
