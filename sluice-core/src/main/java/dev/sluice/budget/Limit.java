package dev.sluice.budget;

import dev.sluice.time.Window;
import java.util.Objects;

/** A cap of {@code cap} bytes per period of {@code window}. */
public record Limit(Window window, long cap) {
  public Limit {
    Objects.requireNonNull(window, "window");
    if (cap < 0) {
      throw new IllegalArgumentException("cap must be >= 0 bytes, got " + cap);
    }
  }
}
