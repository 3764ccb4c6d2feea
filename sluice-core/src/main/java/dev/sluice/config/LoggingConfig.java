package dev.sluice.config;

import java.util.Objects;

/**
 * The {@code logging} section: {@code logging: { format: text | json }}. {@code text} (the default)
 * writes {@code [thread] LEVEL logger - message} lines; {@code json} one JSON object per line, for
 * log shippers. The format is chosen at start for the life of the process: a reload that changes it
 * is refused as needing a restart ({@link dev.sluice.config.change.ConfigDiff#restartOnly}).
 */
public record LoggingConfig(Format format) {

  /** How log lines are written. */
  public enum Format {
    TEXT,
    JSON
  }

  /** No {@code logging} section. */
  public static final LoggingConfig DEFAULT = new LoggingConfig(Format.TEXT);

  public LoggingConfig {
    Objects.requireNonNull(format, "format");
  }

  /** {@code logging: {format: ...}}; the default when absent, null after an error (reported). */
  static LoggingConfig read(Cursor c) {
    if (c == null) {
      return DEFAULT;
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow("format");
    Cursor formatAt = m.get("format");
    if (formatAt == null) {
      return DEFAULT;
    }
    Format f = formatAt.choice(Format.class);
    return f == null ? null : new LoggingConfig(f);
  }
}
