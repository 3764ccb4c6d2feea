package dev.sluice.cluster;

import java.util.Map;

/**
 * The key values one attempt of a transaction decides on: those just read from etcd ("fresh", read
 * linearizably at one revision), and for any other key this node's cached copy, which may be stale
 * (the transaction's compares catch that).
 */
final class Snapshot {

  private final Map<String, Versioned> fresh;
  private final KeyCache cache;

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

  Versioned get(String key) {
    Versioned v = fresh.get(key);
    return v != null ? v : cache.get(key);
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
