package dev.sluice.gateway.edge;

import dev.sluice.codec.CodecModel;
import java.time.Duration;
import java.util.Objects;

/**
 * How the gateway runs its edge links: the codec model, the flush window ({@code
 * codec.flush_window}), the initial upward window per stream it grants the edge, and the keep-alive
 * interval. Frozen.
 *
 * @param flushWindow how long the oldest unsent byte may wait for others to share its frame (0:
 *     every flush builds a frame)
 * @param upWindow raw client bytes an edge may send on a stream before the gateway grants more
 * @param ping silence after which a side PINGs the other; three times it ends the link (0: none)
 */
public record LinkSettings(CodecModel model, Duration flushWindow, int upWindow, Duration ping) {

  /** Default flush window: events of many streams share a frame, the first byte never waits. */
  public static final Duration DEFAULT_FLUSH_WINDOW = Duration.ofMillis(30);

  /** Default upward window per stream (requests are prompts, usually far smaller). */
  public static final int DEFAULT_UP_WINDOW = 256 << 10;

  public static final Duration DEFAULT_PING = Duration.ofSeconds(30);

  public LinkSettings {
    Objects.requireNonNull(model, "model");
    if (flushWindow.isNegative() || flushWindow.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("flush window must be 0 .. 1s, not " + flushWindow);
    }
    if (upWindow < 1) {
      throw new IllegalArgumentException("upWindow must be >= 1");
    }
    if (ping.isNegative() || ping.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("bad ping interval " + ping);
    }
  }

  /** The defaults with {@code model} and {@code flushWindow}. */
  public static LinkSettings of(CodecModel model, Duration flushWindow) {
    return new LinkSettings(model, flushWindow, DEFAULT_UP_WINDOW, DEFAULT_PING);
  }
}
