package dev.sluice.config;

import dev.sluice.time.Window;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One limit of a budget node: at most {@code capBytes} bytes per period of {@code window}. {@code
 * capText} is the cap as written in the file ({@code 0.1% weights}), kept for messages.
 */
public record LimitConfig(Window window, long capBytes, String capText) {

  public LimitConfig {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(capText, "capText");
    if (capBytes < 0) {
      throw new IllegalArgumentException("a cap cannot be negative: " + capBytes);
    }
  }

  /** A limit built in code; the text is the human rendering of the cap. */
  public static LimitConfig of(Window window, long capBytes) {
    return new LimitConfig(window, capBytes, capBytes < 0 ? "" : ByteSizes.format(capBytes));
  }

  /** An immutable copy of {@code limits}, checking that no window appears twice. */
  static List<LimitConfig> copyOf(List<LimitConfig> limits, String owner) {
    List<LimitConfig> copy = List.copyOf(limits);
    Set<Window> seen = EnumSet.noneOf(Window.class);
    for (LimitConfig l : copy) {
      if (!seen.add(l.window())) {
        throw new IllegalArgumentException(
            owner + " has more than one " + l.window().label() + " limit");
      }
    }
    return copy;
  }
}
