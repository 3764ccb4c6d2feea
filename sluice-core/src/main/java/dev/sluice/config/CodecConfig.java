package dev.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The egress codec of listeners with {@code peer: edge}: the model file gateway and edge both load
 * ({@code codec.model}; null: the built-in model shipped in the jar), and the flush window of the
 * multiplexed edge link ({@code codec.flush_window}): how long the oldest unsent byte of a stream
 * may wait so that the events of many streams share one frame (0: every flush sends a frame; the
 * first bytes of a response never wait).
 */
public record CodecConfig(java.nio.file.Path model, Duration flushWindow) {

  /** Default flush window. */
  public static final Duration DEFAULT_FLUSH_WINDOW = Duration.ofMillis(30);

  /** Largest flush window accepted: a live stream's events may not wait longer. */
  public static final Duration MAX_FLUSH_WINDOW = Duration.ofMillis(1000);

  public CodecConfig {
    Objects.requireNonNull(flushWindow, "flushWindow");
  }

  /** A model file with the default flush window. */
  public CodecConfig(java.nio.file.Path model) {
    this(model, DEFAULT_FLUSH_WINDOW);
  }

  /** The built-in model. */
  public static CodecConfig defaults() {
    return new CodecConfig(null, DEFAULT_FLUSH_WINDOW);
  }
}
