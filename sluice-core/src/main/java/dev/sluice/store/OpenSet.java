package dev.sluice.store;

import java.util.List;

/**
 * An escrow set that has been granted and not yet settled, as known to the store.
 *
 * @param setTime time of the set's first grant; the set's bytes belong to its periods
 * @param granted bytes granted to the set so far
 * @param sent bytes the holder reported as sent with its latest grant request (a lower bound)
 */
public record OpenSet(long setId, long setTime, List<String> nodes, long granted, long sent) {
  public OpenSet {
    nodes = List.copyOf(nodes);
  }

  /**
   * The set after one more grant of {@code amount} bytes with {@code sentNow} reported sent (both
   * stores keep their open sets so).
   */
  public OpenSet plus(long amount, long sentNow) {
    return new OpenSet(
        setId, setTime, nodes, Math.addExact(granted, amount), Math.max(sent, sentNow));
  }
}
