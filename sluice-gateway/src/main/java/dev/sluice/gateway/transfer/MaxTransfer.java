package dev.sluice.gateway.transfer;

import dev.sluice.config.ByteSizes;
import dev.sluice.config.ZoneConfig;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.transfer.TransferAllowances;

/**
 * The {@code max_transfer} of one zone: the most bytes a single response (reverse mode), request or
 * tunnel (forward mode) or connection (tcp mode) may send out, counted as the meter counts them
 * (the bytes on the wire, head and framing included; on a stream of an edge link, the HTTP bytes
 * written into the stream, before the link compresses them). {@link ZoneConfig#UNLIMITED} when the
 * zone has none. A transfer of known size above it is refused before a byte leaves; one of unknown
 * size is cut when its count would pass it, so never more than {@link #bytes()} bytes of it leave.
 *
 * <p>The refusal tells the client how to get a larger transfer through: operators approve it
 * ({@code sluice change approve-transfer}) and allow it on the node ({@code sluice transfer
 * allow}), which puts it in {@code allowances} (kept across restarts, or shared by the nodes of an
 * etcd store: decision 0023); {@link #forTransfer} then gives the larger limit to the transfers it
 * covers, until it expires. Immutable (the allowances are shared).
 */
public record MaxTransfer(String zone, long bytes, TransferAllowances allowances) {

  /** No limit. */
  public static final MaxTransfer NONE =
      new MaxTransfer("", ZoneConfig.UNLIMITED, new TransferAllowances());

  public MaxTransfer {
    java.util.Objects.requireNonNull(allowances, "allowances");
    if (bytes < 1) {
      throw new IllegalArgumentException("max_transfer must be at least 1 byte, got " + bytes);
    }
  }

  /** The limit of {@code zone}, without allowances. */
  public static MaxTransfer of(ZoneConfig zone) {
    return of(zone, new TransferAllowances());
  }

  /** The limit of {@code zone}, raised for single transfers by what {@code allowances} allow. */
  public static MaxTransfer of(ZoneConfig zone, TransferAllowances allowances) {
    return new MaxTransfer(zone.name(), zone.maxTransfer(), allowances);
  }

  /**
   * The limit of one transfer of {@code tenant} to {@code destination} (a host in forward mode, a
   * request path in reverse mode, null in tcp mode) at {@code nowMillis}: the zone's, or the
   * largest approved transfer that covers it if that is larger.
   */
  public MaxTransfer forTransfer(String tenant, String destination, long nowMillis) {
    if (!limited() || tenant == null) {
      return this;
    }
    long allowed = allowances.largest(zone, tenant, destination, nowMillis);
    return allowed > bytes ? new MaxTransfer(zone, allowed, allowances) : this;
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
    return "to let one through, change_control.approvals operators each run `sluice change"
        + " approve-transfer --config RUNNING.yaml --zone "
        + zone
        + " --tenant TENANT --destination DESTINATION --size BYTES --expires 1h --key NAME.key"
        + " --out NAME.approval` and then `sluice transfer allow --config RUNNING.yaml"
        + " --approval alice.approval --approval bob.approval`";
  }
}
