package dev.sluice.config;

import java.util.Objects;

/**
 * The model whose weights the budgets protect; caps may be written relative to its size.
 *
 * @param smallestUsefulCopyBytes the size of the smallest copy of the weights a thief could still
 *     use: lossy compression shrinks stolen weights 16 to 100 times (Brown et al. 2026, "Aggressive
 *     Compression Enables LLM Weight Theft"), so time to exfiltrate is shown for it as well as for
 *     the full weights. Between 1 and {@code weightBytes}.
 * @param smallestUsefulCopy that size as written in the configuration, e.g. {@code 1/16 weights}
 */
public record ModelConfig(
    String name, long weightBytes, long smallestUsefulCopyBytes, String smallestUsefulCopy) {

  /** {@code model.smallest_useful_copy} when absent. */
  public static final String DEFAULT_SMALLEST_USEFUL_COPY = "1/16 weights";

  /** The default copy's share of the weights: one sixteenth. */
  static final long DEFAULT_COPY_DIVISOR = 16;

  public ModelConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(smallestUsefulCopy, "smallestUsefulCopy");
    if (name.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    if (weightBytes <= 0) {
      throw new IllegalArgumentException("model weight bytes must be > 0, got " + weightBytes);
    }
    if (smallestUsefulCopyBytes <= 0 || smallestUsefulCopyBytes > weightBytes) {
      throw new IllegalArgumentException(
          "smallest useful copy must be between 1 byte and the weights ("
              + weightBytes
              + "), got "
              + smallestUsefulCopyBytes);
    }
  }

  /** A model whose smallest useful copy is the default, one sixteenth of the weights. */
  public ModelConfig(String name, long weightBytes) {
    this(name, weightBytes, defaultCopy(weightBytes), DEFAULT_SMALLEST_USEFUL_COPY);
  }

  /** One sixteenth of the weights, rounded up (at least one byte). */
  static long defaultCopy(long weightBytes) {
    long q = weightBytes / DEFAULT_COPY_DIVISOR;
    return Math.max(1, weightBytes % DEFAULT_COPY_DIVISOR == 0 ? q : q + 1);
  }
}
