package dev.sluice.config;

import java.util.Objects;

/** The model whose weights the budgets protect; caps may be written relative to its size. */
public record ModelConfig(String name, long weightBytes) {

  public ModelConfig {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    if (weightBytes <= 0) {
      throw new IllegalArgumentException("model weight bytes must be > 0, got " + weightBytes);
    }
  }
}
