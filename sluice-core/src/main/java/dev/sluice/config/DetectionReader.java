package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads {@code detection: { index: PATH, tensors: BOOL, action: block | alert, hold: DURATION,
 * anchor_stride: N }}, at the site or in a zone. Keys left out take the value of {@code inherited}
 * (the site's section for a zone, {@link DetectionConfig#OFF} for the site), except that the action
 * of a section that detects nothing is not inherited: {@code action} defaults to {@code block}.
 * {@code index: none} removes an inherited index.
 */
final class DetectionReader {

  private DetectionReader() {}

  /** The section over {@code inherited}; {@code inherited} when absent, null when invalid. */
  static DetectionConfig read(Cursor c, DetectionConfig inherited) {
    if (c == null) {
      return inherited;
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow("index", "tensors", "action", "hold", "anchor_stride");
    int errorsBefore = c.problems().errorCount();
    Path index = inherited == null ? null : inherited.index();
    Cursor indexAt = m.get("index");
    if (indexAt != null) {
      index = "none".equals(indexAt.got()) ? null : Scalars.path(indexAt);
    }
    Cursor tensorsAt = m.get("tensors");
    Boolean tensors =
        tensorsAt == null
            ? Boolean.valueOf(inherited != null && inherited.tensors())
            : tensorsAt.bool();
    Cursor actionAt = m.get("action");
    DetectionConfig.Action action =
        actionAt == null
            ? (inherited == null || !inherited.enabled()
                ? DetectionConfig.Action.BLOCK
                : inherited.action())
            : actionAt.choice(DetectionConfig.Action.class);
    Cursor holdAt = m.get("hold");
    Duration hold =
        holdAt == null
            ? (inherited == null ? DetectionConfig.DEFAULT_HOLD : inherited.hold())
            : Scalars.duration(holdAt, Duration.ZERO, DetectionConfig.MAX_HOLD);
    Cursor strideAt = m.get("anchor_stride");
    Integer stride =
        strideAt == null
            ? Integer.valueOf(
                inherited == null
                    ? DetectionConfig.DEFAULT_ANCHOR_STRIDE
                    : inherited.anchorStride())
            : anchorStride(strideAt);
    if (c.problems().errorCount() > errorsBefore
        || tensors == null
        || action == null
        || hold == null
        || stride == null) {
      return null;
    }
    return new DetectionConfig(index, tensors, action, hold, stride);
  }

  private static Integer anchorStride(Cursor at) {
    Long n = at.integer();
    if (n == null) {
      return null;
    }
    if (n < 1 || n > 32 || Long.bitCount(n) != 1) {
      at.error("must be 1, 2, 4, 8, 16 or 32 (test one offset in N for an anchor)");
      return null;
    }
    return n.intValue();
  }
}
