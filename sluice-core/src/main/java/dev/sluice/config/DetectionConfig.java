package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What the gateway's scan stage looks for and what it does on a finding ({@code detection} at the
 * site, {@code budgets.zones.Z.detection} per zone; a zone's keys override the site's one by one).
 *
 * @param index the fingerprint index of the site's weight files ({@code sluice fingerprint index}),
 *     loaded once at start; null for none
 * @param tensors whether the statistical detector of float tensor data runs
 * @param action what a finding does: {@link Action#BLOCK} stops the bytes, {@link Action#ALERT}
 *     lets them go; both record, count and alert
 * @param hold with {@code block}: how long held-back bytes wait at most for the detectors before
 *     they leave anyway (the latency added to a small streaming event; a longer hold lets fewer
 *     bytes of a slow stream leave before its match; see {@code gateway.scan.HoldBack})
 * @param anchorStride with an index of anchored segments (version 2): the matcher tests one offset
 *     in this many for an anchor, at a random phase per 4 KiB (1, 2, 4, 8, 16 or 32; default 8). A
 *     larger stride costs less CPU per byte and finds fewer of a slice's anchors (a 1 MiB slice
 *     holds about 128 / stride that it may find); see docs/detection.md
 */
public record DetectionConfig(
    Path index, boolean tensors, Action action, Duration hold, int anchorStride) {

  /** How long a blocking stage holds bytes back at most, when not configured. */
  public static final Duration DEFAULT_HOLD = Duration.ofMillis(10);

  /** The matcher's stride when not configured. */
  public static final int DEFAULT_ANCHOR_STRIDE = 8;

  /** The longest {@code hold} accepted. */
  public static final Duration MAX_HOLD = Duration.ofSeconds(1);

  /** No detection: no index, no tensor detector (the default without a {@code detection} key). */
  public static final DetectionConfig OFF =
      new DetectionConfig(null, false, Action.ALERT, DEFAULT_HOLD, DEFAULT_ANCHOR_STRIDE);

  /** A section with the default {@code hold} and {@code anchor_stride}. */
  public DetectionConfig(Path index, boolean tensors, Action action) {
    this(index, tensors, action, DEFAULT_HOLD, DEFAULT_ANCHOR_STRIDE);
  }

  /** A section with the default {@code anchor_stride}. */
  public DetectionConfig(Path index, boolean tensors, Action action, Duration hold) {
    this(index, tensors, action, hold, DEFAULT_ANCHOR_STRIDE);
  }

  /** What a finding does. */
  public enum Action {
    /** The matched bytes do not leave: a 403 if the response has not started, else a cut. */
    BLOCK,
    /** The bytes go on; the finding is recorded, counted and alerted. */
    ALERT;

    /** The lower-case name used in the configuration, metrics and the ledger. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public DetectionConfig {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(hold, "hold");
    if (hold.isNegative() || hold.compareTo(MAX_HOLD) > 0) {
      throw new IllegalArgumentException("detection.hold must be 0 to 1s, got " + hold);
    }
    if (anchorStride < 1 || anchorStride > 32 || Integer.bitCount(anchorStride) != 1) {
      throw new IllegalArgumentException(
          "detection.anchor_stride must be 1, 2, 4, 8, 16 or 32, got " + anchorStride);
    }
  }

  /** Whether anything is scanned: an index or the tensor detector. */
  public boolean enabled() {
    return index != null || tensors;
  }

  /**
   * Whether {@code next} detects less than this: the action goes from block to alert, the tensor
   * detector is turned off, the index is removed or replaced by another file (a different index may
   * cover fewer weights), a blocking hold gets shorter, or an index is matched with a larger anchor
   * stride (fewer offsets tested). A loosening needs the approvals of change control on reload.
   */
  public boolean loosenedBy(DetectionConfig next) {
    if (!enabled()) {
      return false;
    }
    return (action == Action.BLOCK && next.action == Action.ALERT)
        || (tensors && !next.tensors)
        || (index != null && !index.equals(next.index))
        || (action == Action.BLOCK && next.action == Action.BLOCK && next.hold.compareTo(hold) < 0)
        || (index != null && next.index != null && next.anchorStride > anchorStride);
  }
}
