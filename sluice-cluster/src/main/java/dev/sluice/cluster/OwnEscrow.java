package dev.sluice.cluster;

import dev.sluice.store.OpenSet;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's own escrow as it knows it: the sets granted here and not yet settled, and the last
 * grant id it used. Only this node grants to and settles its own sets, so the view is exact but for
 * a grant whose answer was lost, until {@link UncertainGrants} resolves it. The open sets may be
 * read from any thread; the grant id is read and written on the store thread only.
 */
final class OwnEscrow {

  private final ConcurrentHashMap<Long, OpenSet> open = new ConcurrentHashMap<>();

  private long lastGrantId;

  /** The open set {@code setId}, or null if it is not open here. */
  OpenSet get(long setId) {
    return open.get(setId);
  }

  boolean isOpen(long setId) {
    return open.containsKey(setId);
  }

  /** Records {@code s} as open, replacing what was known of it. */
  void put(OpenSet s) {
    open.put(s.setId(), s);
  }

  /** Adds one more grant to set {@code setId}, if it is open here. */
  void granted(long setId, long amount, long sent) {
    open.computeIfPresent(setId, (id, o) -> o.plus(amount, sent));
  }

  /** The set is settled, or gone from etcd: no longer open here. */
  void forget(long setId) {
    open.remove(setId);
  }

  /** The open sets, by set id. */
  List<OpenSet> sets() {
    return List.copyOf(new TreeMap<>(open).values());
  }

  /** The highest grant id this run has seen used by this node (0 before the start's fence). */
  long lastGrantId() {
    return lastGrantId;
  }

  /** Grant {@code id} was used (found in etcd, or committed): the next grant id is above it. */
  void usedGrantId(long id) {
    lastGrantId = Math.max(lastGrantId, id);
  }
}
