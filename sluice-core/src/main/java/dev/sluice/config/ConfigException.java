package dev.sluice.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration did not load; the message lists every error, one formatted line each. */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** The errors, in line order. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String message(List<ConfigProblem> problems) {
    String lines =
        problems.stream()
            .map(ConfigProblem::format)
            .collect(Collectors.joining("\n  ", "\n  ", ""));
    int n = problems.size();
    return "invalid configuration (" + n + (n == 1 ? " error)" : " errors)") + ":" + lines;
  }
}
