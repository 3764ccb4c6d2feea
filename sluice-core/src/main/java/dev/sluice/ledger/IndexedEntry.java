package dev.sluice.ledger;

import java.util.Objects;

/**
 * An entry as stored: its index (its Merkle leaf number) and the byte offset of its record in
 * {@code entries.log}.
 */
public record IndexedEntry(long index, long offset, LedgerEntry entry) {
  public IndexedEntry {
    Objects.requireNonNull(entry, "entry");
  }
}
