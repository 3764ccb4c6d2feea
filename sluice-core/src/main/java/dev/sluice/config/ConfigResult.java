package dev.sluice.config;

import java.util.List;

/**
 * The outcome of loading a configuration: the configuration when there were no errors, and every
 * error and warning found, each list in line order.
 */
public record ConfigResult(
    SluiceConfig config, List<ConfigProblem> errors, List<ConfigProblem> warnings) {

  public ConfigResult {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
    if ((config == null) == errors.isEmpty()) {
      throw new IllegalArgumentException("a result has a config exactly when it has no errors");
    }
  }

  /** True when the configuration loaded. */
  public boolean ok() {
    return errors.isEmpty();
  }

  /**
   * The configuration.
   *
   * @throws ConfigException listing every error when there were any
   */
  public SluiceConfig orThrow() {
    if (!ok()) {
      throw new ConfigException(errors);
    }
    return config;
  }
}
