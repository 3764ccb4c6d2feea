package dev.sluice.ledger;

/**
 * What a ledger entry records. The numeric {@link #code()} is what the on-disk format stores; codes
 * are never reused or renumbered (see {@code docs/formats/ledger-v1.md}).
 */
public enum EntryType {
  /** First entry of every ledger: origin, verifier key, format version. */
  GENESIS(1),
  /**
   * A torn tail was cut off, at start or by the running ledger after an I/O error: offset, bytes
   * dropped, first lost index, reason; after an I/O error also since when the ledger was
   * unavailable and how many appends it refused.
   */
  GAP(2),
  /** A process opened the ledger (site, node, time zone, version). */
  START(3),
  /** A process closed the ledger cleanly. */
  STOP(4),
  /** A configuration was loaded (file hash, mode). */
  CONFIG(5),
  /** Escrow granted from the budget store: path, amount, expiry. */
  GRANT(10),
  /** An escrow set ended: what was sent and what was returned. */
  SETTLE(11),
  /** An escrow set found unsettled at start (lost in a crash); it stays counted as spent. */
  STRANDED(12),
  /** A request or connection was refused: node, window, reason. */
  DENY(20),
  /** Egress was halted (site or zone). */
  HALT(21),
  /** A halt was lifted. */
  RESUME(22),
  /** Summary of one connection at close. */
  CONNECTION(23),
  /** An alert fired (threshold, detection). */
  ALERT(24),
  /**
   * Change control: a proposed change (configuration reload or resume), an operator's approval of
   * it with its signature, its refusal, or its application ({@code action}; see {@link
   * ChangeAudit}).
   */
  CHANGE(25),
  /**
   * The gateway's scan stage found weights in egress (issue 17): listener, zone, tenant,
   * destination, client, kind ({@code fingerprint} or {@code tensor}), action ({@code block} or
   * {@code alert}), the stream offset and length, and the matched source file and offset or the
   * dtype.
   */
  DETECTION(26);

  private final int code;

  EntryType(int code) {
    this.code = code;
  }

  /** The stable one-byte code written on disk. */
  public int code() {
    return code;
  }

  /** The lower-case name used in JSON and text output, e.g. {@code grant}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The type with this on-disk code, or {@code null} if the code is unknown. */
  public static EntryType fromCode(int code) {
    for (EntryType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
