package dev.sluice.ledger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Computes the hashes of a proof's ranges (see {@link ProofRanges}) from leaf hashes streamed in
 * index order, in memory proportional to the proof, not the log. Ranges whose hash is already known
 * (frontier nodes) can be {@linkplain #preset preset} and are then skipped.
 *
 * <p>Not thread-safe.
 */
final class ProofCollector {

  private final List<NodeRange> ranges;
  private final Hash[] hashes;
  private final CompactRange[] partial;
  private final Integer[] byBegin;
  private int cursor;

  ProofCollector(List<NodeRange> ranges) {
    this.ranges = List.copyOf(ranges);
    this.hashes = new Hash[ranges.size()];
    this.partial = new CompactRange[ranges.size()];
    this.byBegin = new Integer[ranges.size()];
    for (int i = 0; i < byBegin.length; i++) {
      byBegin[i] = i;
    }
    Arrays.sort(byBegin, Comparator.comparingLong(i -> this.ranges.get(i).begin()));
  }

  /** Uses each range's hash from {@code frontier} where the range is one of its nodes. */
  void presetFrom(CompactRange frontier) {
    for (int i = 0; i < hashes.length; i++) {
      Hash h = frontier.node(ranges.get(i).begin(), ranges.get(i).end());
      if (h != null) {
        hashes[i] = h;
      }
    }
  }

  /** Feeds leaf {@code index}; leaves must come in increasing order without gaps in any range. */
  void accept(long index, byte[] leafHash, int off) {
    while (cursor < byBegin.length && ranges.get(byBegin[cursor]).end() <= index) {
      cursor++;
    }
    if (cursor == byBegin.length) {
      return;
    }
    int i = byBegin[cursor];
    NodeRange r = ranges.get(i);
    if (!r.contains(index) || hashes[i] != null) {
      return;
    }
    if (partial[i] == null) {
      if (index != r.begin()) {
        throw new IllegalStateException("leaf " + index + " arrived before leaf " + r.begin());
      }
      partial[i] = new CompactRange();
    }
    partial[i].append(leafHash, off);
    if (index == r.end() - 1) {
      hashes[i] = partial[i].root();
      partial[i] = null;
    }
  }

  /** The highest leaf index any still-missing range needs, or -1 when complete. */
  long lastNeededLeaf() {
    long last = -1;
    for (int i = 0; i < hashes.length; i++) {
      if (hashes[i] == null) {
        last = Math.max(last, ranges.get(i).end() - 1);
      }
    }
    return last;
  }

  /** The proof hashes in proof order; throws if a range has not been fully fed. */
  List<Hash> hashes() {
    List<Hash> out = new ArrayList<>(hashes.length);
    for (int i = 0; i < hashes.length; i++) {
      if (hashes[i] == null) {
        throw new IllegalStateException("proof range " + ranges.get(i) + " was not fed");
      }
      out.add(hashes[i]);
    }
    return out;
  }
}
