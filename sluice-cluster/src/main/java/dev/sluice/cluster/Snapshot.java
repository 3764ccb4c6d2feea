package dev.sluice.cluster;

import java.util.HashMap;
import java.util.Map;

/**
 * The key values one attempt of a transaction decides on: those just read from etcd ("fresh", read
 * linearizably at one revision, or newer ones the watch has delivered since), and for any other key
 * this node's cached copy, which may be stale (the transaction's compares catch that). Each key is
 * looked up once and then answered the same way. Used by one thread.
 */
final class Snapshot {

  private final Map<String, Versioned> fresh;
  private final KeyCache cache;
  private final Map<String, Versioned> seen = new HashMap<>();

  private Snapshot(Map<String, Versioned> fresh, KeyCache cache) {
    this.fresh = fresh;
    this.cache = cache;
  }

  /** Nothing fresh: every value from the cache. */
  static Snapshot cached(KeyCache cache) {
    return new Snapshot(Map.of(), cache);
  }

  /** {@code values} just read from etcd; other keys from the cache. */
  static Snapshot fresh(Map<String, Versioned> values, KeyCache cache) {
    return new Snapshot(Map.copyOf(values), cache);
  }

  /**
   * The latest value known of {@code key}: the one just read, unless the cache (fed by the watch)
   * has since seen a newer revision of it, which is then at least as fresh.
   */
  Versioned get(String key) {
    // Answered once per key: the cache moves under us, and the value a transaction computes from
    // must be the one whose revision it compares.
    return seen.computeIfAbsent(
        key,
        k -> {
          Versioned v = fresh.get(k);
          Versioned c = cache.get(k);
          return v == null || c.modRevision() > v.modRevision() ? c : v;
        });
  }

  /** Whether {@code key} was just read from etcd. */
  boolean fresh(String key) {
    return fresh.containsKey(key);
  }

  boolean allFresh(String... keys) {
    for (String k : keys) {
      if (!fresh.containsKey(k)) {
        return false;
      }
    }
    return true;
  }
}
