package dev.sluice.config;

import dev.sluice.config.ConfigProblem.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the errors and warnings of one load; hands them out in line order. */
final class Problems {

  private final String source;
  private final List<ConfigProblem> errors = new ArrayList<>();
  private final List<ConfigProblem> warnings = new ArrayList<>();

  Problems(String source) {
    this.source = source;
  }

  String source() {
    return source;
  }

  void error(int line, String path, String message, String got) {
    errors.add(new ConfigProblem(source, line, path, message, got, Severity.ERROR));
  }

  void warning(int line, String path, String message) {
    warnings.add(new ConfigProblem(source, line, path, message, null, Severity.WARNING));
  }

  /** How many errors so far; a reader compares counts to learn whether its subtree was clean. */
  int errorCount() {
    return errors.size();
  }

  /** The result: {@code config} only when there were no errors. */
  ConfigResult result(SluiceConfig config) {
    List<ConfigProblem> e = sorted(errors);
    return new ConfigResult(e.isEmpty() ? config : null, e, sorted(warnings));
  }

  /** The errors so far, in line order (a stable sort keeps problems on one line in order). */
  List<ConfigProblem> errors() {
    return sorted(errors);
  }

  private static List<ConfigProblem> sorted(List<ConfigProblem> problems) {
    List<ConfigProblem> copy = new ArrayList<>(problems);
    copy.sort(Comparator.comparingInt(ConfigProblem::line));
    return copy;
  }
}
