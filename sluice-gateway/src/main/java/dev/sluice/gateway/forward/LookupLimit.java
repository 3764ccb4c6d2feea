package dev.sluice.gateway.forward;

import dev.sluice.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * At most {@code perMinute} name lookups per tenant and minute, as a token bucket per tenant: it
 * holds up to {@code perMinute} lookups, starts full and refills evenly ({@code perMinute} a
 * minute), so a tenant may look up a minute's worth of names at once and then one every {@code 60 s
 * / perMinute}. 0 allows none. Integer arithmetic: the bucket counts sixty-thousandths of a lookup,
 * {@code perMinute} of them come in per millisecond and a lookup takes 60,000. Time is the injected
 * {@link Clock}. Tenants are the zone's (a fixed, configured set), so the map is bounded.
 * Thread-safe.
 */
final class LookupLimit {

  private static final long UNIT = 60_000; // a lookup, in sixty-thousandths; also ms per minute

  private static final class Bucket {
    long units;
    long at;
  }

  private final Clock clock;
  private final long perMinute;
  private final long capacity;
  private final Map<String, Bucket> buckets = new HashMap<>();

  LookupLimit(Clock clock, int perMinute) {
    if (perMinute < 0) {
      throw new IllegalArgumentException("perMinute must be >= 0, got " + perMinute);
    }
    this.clock = clock;
    this.perMinute = perMinute;
    this.capacity = Math.multiplyExact(perMinute, UNIT);
  }

  /** Takes one lookup of {@code tenant}'s allowance; false when none is left. */
  synchronized boolean tryTake(String tenant) {
    long now = clock.millis();
    Bucket b = buckets.get(tenant);
    if (b == null) {
      b = new Bucket();
      b.units = capacity;
      b.at = now;
      buckets.put(tenant, b);
    }
    long elapsed = now - b.at;
    if (elapsed > 0) {
      // Past a minute the bucket is full anyway: cap elapsed so the product cannot overflow.
      long in = Math.multiplyExact(Math.min(elapsed, UNIT), perMinute);
      b.units = Math.min(capacity, Math.addExact(b.units, in));
      b.at = now;
    }
    if (b.units < UNIT) {
      return false;
    }
    b.units -= UNIT;
    return true;
  }

  int perMinute() {
    return (int) perMinute;
  }
}
