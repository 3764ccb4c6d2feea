package dev.sluice.store;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import java.util.List;

/**
 * The budget entries a store writes to its ledger, {@code grant}, {@code settle} and {@code
 * stranded}, with the fields of {@code docs/formats/ledger-v1.md} in their order. Both stores write
 * them through here; the etcd store adds its own fields ({@code node}, {@code late}) to the
 * builders returned. {@link BudgetState} reads them back at start, and {@code ledger verify} sums
 * them.
 */
public final class BudgetEntries {

  private BudgetEntries() {}

  /** A grant of {@code amount} bytes to set {@code setId} on the path {@code nodes}. */
  public static LedgerEntry.Builder grant(
      long time, long id, long setId, List<String> nodes, long amount, long expiresAt, long sent) {
    return LedgerEntry.builder(EntryType.GRANT, time)
        .put("id", id)
        .put("set", setId)
        .putStrings("nodes", nodes)
        .put("amount", amount)
        .put("expires_at", expiresAt)
        .put("sent", sent);
  }

  /** A settled set: {@code returned} bytes credited, {@code sent} bytes reported sent. */
  public static LedgerEntry.Builder settle(
      long time,
      long setId,
      long setTime,
      List<String> nodes,
      long granted,
      long sent,
      long returned,
      String reason) {
    return closing(EntryType.SETTLE, time, setId, setTime, nodes, granted, sent)
        .put("returned", returned)
        .put("reason", reason);
  }

  /** A set found unsettled at start: {@code stranded} bytes stay counted as spent. */
  public static LedgerEntry.Builder stranded(
      long time,
      long setId,
      long setTime,
      List<String> nodes,
      long granted,
      long sent,
      long stranded) {
    return closing(EntryType.STRANDED, time, setId, setTime, nodes, granted, sent)
        .put("stranded", stranded);
  }

  /** The fields every entry that ends a set begins with. */
  private static LedgerEntry.Builder closing(
      EntryType type,
      long time,
      long setId,
      long setTime,
      List<String> nodes,
      long granted,
      long sent) {
    return LedgerEntry.builder(type, time)
        .put("set", setId)
        .put("set_time", setTime)
        .putStrings("nodes", nodes)
        .put("granted", granted)
        .put("sent", sent);
  }
}
