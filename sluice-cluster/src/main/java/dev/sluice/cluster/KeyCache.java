package dev.sluice.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * This node's copy of the keys under {@code {prefix}/v1/}, fed by an etcd watch, by periodic
 * re-listing and by this node's own transactions. A value is replaced only by one with a higher mod
 * revision, so late watch events never roll it back. It may lag behind etcd: it answers usage
 * reports and seeds the first attempt of a transaction, whose compare-and-swap catches anything
 * stale. Deleted keys stay as tombstones (a revision without a value) for the same ordering reason.
 * Thread-safe.
 */
final class KeyCache {

  private final ConcurrentHashMap<String, Versioned> keys = new ConcurrentHashMap<>();

  /** The key as last seen; {@link Versioned#ABSENT} if never seen. */
  Versioned get(String key) {
    Versioned v = keys.get(key);
    return v == null ? Versioned.ABSENT : v;
  }

  /** Records {@code v} unless the cache already holds a newer revision of {@code key}. */
  void apply(String key, Versioned v) {
    keys.merge(key, v, (old, neu) -> neu.modRevision() >= old.modRevision() ? neu : old);
  }

  /**
   * Replaces everything up to {@code revision} with a full listing taken at that revision: keys the
   * listing lacks are deleted unless they changed after it.
   */
  void reset(Map<String, Versioned> listing, long revision) {
    listing.forEach(this::apply);
    for (Map.Entry<String, Versioned> e : keys.entrySet()) {
      if (!listing.containsKey(e.getKey())
          && e.getValue().exists()
          && e.getValue().modRevision() <= revision) {
        keys.replace(e.getKey(), e.getValue(), Versioned.deleted(revision));
      }
    }
  }

  /** Calls {@code f} for every existing key starting with {@code prefix}. */
  void forEach(String prefix, BiConsumer<String, Versioned> f) {
    keys.forEach(
        (k, v) -> {
          if (v.exists() && k.startsWith(prefix)) {
            f.accept(k, v);
          }
        });
  }
}
