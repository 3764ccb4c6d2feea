package dev.sluice.gateway.transfer;

import dev.sluice.config.ByteSizes;
import dev.sluice.config.ZoneConfig;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;

/**
 * The {@code max_transfer} of one zone: the most bytes a single response (reverse mode), request or
 * tunnel (forward mode) or connection (tcp mode) may send out, counted as the meter counts them
 * (the bytes on the wire, head and framing included). {@link ZoneConfig#UNLIMITED} when the zone
 * has none. A transfer of known size above it is refused before a byte leaves; one of unknown size
 * is cut when its count would pass it, so never more than {@link #bytes()} bytes of it leave.
 *
 * <p>The refusal tells the client how to get a larger transfer through: an approved reload that
 * raises the zone's {@code max_transfer} (a loosening, so it needs the operators' approvals).
 * Immutable.
 */
public record MaxTransfer(String zone, long bytes) {

  /** No limit. */
  public static final MaxTransfer NONE = new MaxTransfer("", ZoneConfig.UNLIMITED);

  public MaxTransfer {
    if (bytes < 1) {
      throw new IllegalArgumentException("max_transfer must be at least 1 byte, got " + bytes);
    }
  }

  /** The limit of {@code zone}. */
  public static MaxTransfer of(ZoneConfig zone) {
    return new MaxTransfer(zone.name(), zone.maxTransfer());
  }

  public boolean limited() {
    return bytes != ZoneConfig.UNLIMITED;
  }

  /** Whether a transfer of {@code size} bytes (known before it starts) is refused. */
  public boolean refuses(long size) {
    return size > bytes;
  }

  /** The refusal of a transfer of {@code size} bytes, known before a byte left. */
  public Refusal tooLarge(long size) {
    return Refusal.of(
        Reason.TRANSFER_TOO_LARGE,
        "a transfer of "
            + size
            + " bytes is more than max_transfer of zone "
            + zone
            + " ("
            + bytes
            + " bytes, "
            + ByteSizes.format(bytes)
            + "); "
            + howToApprove());
  }

  /** The refusal of a transfer cut when its count passed the limit (its size was not known). */
  public Refusal cut() {
    return Refusal.of(
        Reason.TRANSFER_TOO_LARGE,
        "cut at max_transfer of zone "
            + zone
            + " ("
            + bytes
            + " bytes, "
            + ByteSizes.format(bytes)
            + "); "
            + howToApprove());
  }

  private String howToApprove() {
    return "to let a larger transfer through, raise budgets.zones."
        + zone
        + ".max_transfer in a new configuration; each operator approves it with"
        + " `sluice change approve --config NEW.yaml --key NAME.key --out NAME.approval`"
        + " and it is applied with"
        + " `sluice reload --config NEW.yaml --approval alice.approval --approval bob.approval`";
  }
}
