package dev.sluice.config;

import java.util.Objects;

/**
 * One thing wrong with (or worth a warning about) a configuration file, with where it is.
 *
 * @param source the file name as given to the loader
 * @param line 1-based line in the file; 0 when the problem has no line (the file cannot be read)
 * @param path dotted key path such as {@code budgets.zones.employee.limits[0].cap}; keys that are
 *     not plain words are quoted in brackets ({@code destinations["*.corp.example"]}); empty for
 *     the whole file
 * @param message what is wrong, for a human
 * @param got the offending value as written, or {@code null}
 * @param severity error or warning
 */
public record ConfigProblem(
    String source, int line, String path, String message, String got, Severity severity) {

  /** Errors stop the configuration from loading; warnings do not. */
  public enum Severity {
    ERROR,
    WARNING
  }

  public ConfigProblem {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(severity, "severity");
    if (line < 0) {
      throw new IllegalArgumentException("line must be >= 0");
    }
  }

  /**
   * The one-line form: {@code FILE:LINE: path: message (got VALUE)} for errors and {@code
   * FILE:LINE: path: warning: message} for warnings. The line is left out when it is 0, the path
   * when it is empty, and the value when there is none.
   */
  public String format() {
    StringBuilder sb = new StringBuilder(source);
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    if (severity == Severity.WARNING) {
      sb.append("warning: ");
    }
    sb.append(message);
    if (got != null) {
      sb.append(" (got ").append(got).append(')');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return format();
  }
}
