package dev.sluice.config;

import java.nio.file.Path;
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
 */
public record DetectionConfig(Path index, boolean tensors, Action action) {

  /** No detection: no index, no tensor detector (the default without a {@code detection} key). */
  public static final DetectionConfig OFF = new DetectionConfig(null, false, Action.ALERT);

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
  }

  /** Whether anything is scanned: an index or the tensor detector. */
  public boolean enabled() {
    return index != null || tensors;
  }

  /**
   * Whether {@code next} detects less than this: the action goes from block to alert, the tensor
   * detector is turned off, or the index is removed or replaced by another file (a different index
   * may cover fewer weights). A loosening needs the approvals of change control on reload.
   */
  public boolean loosenedBy(DetectionConfig next) {
    if (!enabled()) {
      return false;
    }
    return (action == Action.BLOCK && next.action == Action.ALERT)
        || (tensors && !next.tensors)
        || (index != null && !index.equals(next.index));
  }
}
