package dev.sluice.ledger;

/** The subtree over leaves {@code [begin, end)}; proofs are lists of such ranges' hashes. */
record NodeRange(long begin, long end) {
  NodeRange {
    if (begin < 0 || end <= begin) {
      throw new IllegalArgumentException("bad leaf range [" + begin + ", " + end + ")");
    }
  }

  boolean contains(long index) {
    return index >= begin && index < end;
  }
}
