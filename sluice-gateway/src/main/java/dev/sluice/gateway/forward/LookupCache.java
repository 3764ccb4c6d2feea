package dev.sluice.gateway.forward;

import dev.sluice.time.Clock;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The lookups of one forward listener by name, so that a name looked up once is not looked up (nor
 * charged) again for a while: a lookup in flight (whoever asks for the name meanwhile waits for
 * it), a resolved name for {@code ttl}, a name that did not resolve for {@code negativeTtl}, both
 * counted from when the lookup completed. A lookup refused before it was sent (the executor's queue
 * was full) is not kept. At most {@code size} names; adding one more evicts the least recently
 * used. Time is the injected {@link Clock}.
 *
 * <p>A hit sends nothing, so it costs nothing, whichever tenant made the lookup: the cache is
 * shared by the tenants of the listener (what that tells one tenant about another is in
 * docs/dns.md). Thread-safe (one lock; lookups are few: each miss is a DNS lookup).
 */
final class LookupCache {

  private record Entry(CompletableFuture<List<InetAddress>> result, long expiresAt) {}

  private final Clock clock;
  private final long ttlMillis;
  private final long negativeTtlMillis;
  private final LinkedHashMap<String, Entry> entries;

  LookupCache(Clock clock, int size, long ttlMillis, long negativeTtlMillis) {
    if (size < 1 || ttlMillis < 0 || negativeTtlMillis < 0) {
      throw new IllegalArgumentException("size must be >= 1 and TTLs >= 0");
    }
    this.clock = clock;
    this.ttlMillis = ttlMillis;
    this.negativeTtlMillis = negativeTtlMillis;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > size;
          }
        };
  }

  /** The lookup of {@code host} in flight or still fresh, or null (a miss). */
  synchronized CompletableFuture<List<InetAddress>> get(String host) {
    Entry e = entries.get(host);
    if (e == null) {
      return null;
    }
    if (clock.millis() >= e.expiresAt()) {
      entries.remove(host);
      return null;
    }
    return e.result();
  }

  /**
   * Keeps the lookup {@code result} of {@code host}, sent just now; once it completes it stays for
   * its TTL (or goes, if it was never sent).
   */
  void put(String host, CompletableFuture<List<InetAddress>> result) {
    synchronized (this) {
      entries.put(host, new Entry(result, Long.MAX_VALUE));
    }
    result.whenComplete((a, error) -> completed(host, result, error));
  }

  /** Names held now (in flight or not yet expired). */
  synchronized int size() {
    return entries.size();
  }

  private synchronized void completed(
      String host, CompletableFuture<List<InetAddress>> result, Throwable error) {
    Entry e = entries.get(host);
    if (e == null || e.result() != result) {
      return; // evicted, or replaced by a later lookup
    }
    if (Lookups.notSent(error)) {
      entries.remove(host);
      return;
    }
    long ttl = error == null ? ttlMillis : negativeTtlMillis;
    long now = clock.millis();
    long expires = Long.MAX_VALUE - now < ttl ? Long.MAX_VALUE : now + ttl;
    if (ttl == 0) {
      entries.remove(host);
    } else {
      entries.put(host, new Entry(result, expires));
    }
  }
}
